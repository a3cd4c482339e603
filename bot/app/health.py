"""What `GET /healthz` says: whether the database answers and the scheduler still ticks.

The last tick is read from the database (`storage.heartbeats`), where every worker and
replica writes it, so any of them answers for the whole deployment. When ticking is on,
a tick older than three intervals means reminders are late: the answer is 503, which a
load balancer, Docker's HEALTHCHECK or a monitor can act on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from storage.db import Database
from storage.heartbeats import last_beat

log = logging.getLogger(__name__)
LATE_AFTER_INTERVALS = 3


def _iso(at: datetime | None) -> str | None:
    return at.isoformat().replace("+00:00", "Z") if at else None


@dataclass
class HealthCheck:
    db: Database
    clock: Clock
    tick_seconds: int  # 0: ticks come from cron (`tandem tick`), so their age is shown, not judged
    started_at: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.started_at = self.clock.now()  # a fresh start gets three intervals to tick

    def __call__(self) -> tuple[bool, dict]:
        try:
            last = last_beat(self.db, "tick")
        except Exception as error:  # noqa: BLE001 - any failure to read means the database is not usable
            log.warning("healthz: the database did not answer: %s", error)
            return False, {"ok": False, "database": "down"}
        body: dict = {"ok": True, "database": "up", "last_tick": _iso(last), "tick_seconds": self.tick_seconds}
        if not self.tick_seconds:
            return True, {**body, "scheduler": "off"}
        since = max(last, self.started_at) if last else self.started_at
        if self.clock.now() - since > timedelta(seconds=LATE_AFTER_INTERVALS * self.tick_seconds):
            return False, {**body, "ok": False, "scheduler": "late"}
        return True, {**body, "scheduler": "ticking"}
