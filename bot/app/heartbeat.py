"""The in-process heartbeat: APScheduler calls the same `tick` as `tandem tick`.

APScheduler keeps no job store here and decides nothing: the database is the truth of
what is due and what was posted, so any number of replicas can each run a heartbeat
(and missed runs while a process was down are caught up by the next tick). Each tick that
completes is recorded in the database, where `/healthz` reads it.
"""

from __future__ import annotations

import logging
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from bot.app.container import Container
from bot.errors import Unwritable
from bot.services.schedule import tick
from storage.heartbeats import record_beat
from storage.problems import database_problem

log = logging.getLogger(__name__)


class _Beat:
    """One heartbeat's job, and what it last said: a database that stays unusable is one
    warning when it starts failing and one line when ticking resumes, not a traceback a beat."""

    def __init__(self, container: Container) -> None:
        self.container = container
        self.failing: str | None = None  # the sentence of the problem being lived with
        self.failures = 0

    def __call__(self) -> None:
        container = self.container
        began = time.monotonic()
        try:
            container.refresh()  # pick up another replica's import here, not on a user's request
            with container.db.deferring():  # the replicas see the tick's changes once, not after each step
                report = tick(container.deps)
            record_beat(container.db, "tick", container.deps.clock.now())
        except (SQLAlchemyError, Unwritable) as error:
            url = container.settings.database_url
            problem = error.detail if isinstance(error, Unwritable) else str(database_problem(error, url))
            if problem != self.failing:
                log.warning("tick failed: %s The next beat retries.", problem)
            self.failing, self.failures = problem, self.failures + 1
            return
        except Exception:
            log.exception("tick failed; the next beat retries")
            return
        if self.failures:
            log.info("ticking again after %d failed beat(s)", self.failures)
            self.failing, self.failures = None, 0
        took, seconds = time.monotonic() - began, container.settings.tick_seconds
        if took > seconds:
            log.warning(
                "a tick took %.0f s, longer than TANDEM_TICK_SECONDS=%d: reminders are running late", took, seconds
            )
        if report.planned or report.posted or report.updated or report.failed:
            log.info(
                "tick: %d planned, %d posted, %d already posted, %d failed, %d updated",
                report.planned,
                report.posted,
                report.skipped,
                report.failed,
                report.updated,
            )


def start_heartbeat(container: Container) -> BackgroundScheduler | None:
    """Beat every `TANDEM_TICK_SECONDS` (none when it is 0: ticks then come from cron)."""
    seconds = container.settings.tick_seconds
    if not seconds:
        return None
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(
        _Beat(container),
        IntervalTrigger(seconds=seconds),
        id="tandem-tick",
        next_run_time=container.deps.clock.now(),
    )
    scheduler.start()
    return scheduler
