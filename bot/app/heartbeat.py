"""The in-process heartbeat: APScheduler calls the same `tick` as `tandem tick`.

APScheduler keeps no job store here and decides nothing: the database is the truth of
what is due and what was posted, so any number of replicas can each run a heartbeat
(and missed runs while a process was down are caught up by the next tick). Each tick that
completes is recorded in the database, where `/healthz` reads it.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.app.container import Container
from bot.services.schedule import tick
from storage.heartbeats import record_beat

log = logging.getLogger(__name__)


def _beat(container: Container) -> None:
    try:
        container.warm()  # pick up another replica's import here, not on a user's request
        report = tick(container.deps)
        record_beat(container.db, "tick", container.deps.clock.now())
        if report.planned or report.posted or report.failed:
            log.info("tick: %s", report)
    except Exception:
        log.exception("tick failed; the next beat retries")


def start_heartbeat(container: Container) -> BackgroundScheduler | None:
    """Beat every `TANDEM_TICK_SECONDS` (none when it is 0: ticks then come from cron)."""
    seconds = container.settings.tick_seconds
    if not seconds:
        return None
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(
        _beat,
        IntervalTrigger(seconds=seconds),
        args=[container],
        id="tandem-tick",
        next_run_time=container.deps.clock.now(),
    )
    scheduler.start()
    return scheduler
