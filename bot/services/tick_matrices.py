"""Each organisation's matrix, and the leave in force, read once per scheduler tick, not once
per due item: a tick with a thousand alerts asked the database for the same leave a thousand
times. A booking made during a tick is seen by the next one, as a matrix import is."""

from __future__ import annotations

from datetime import datetime

from bot.matrix.model import Matrix
from bot.ownership.cover import LeavePeriod
from bot.ports import Store
from bot.services.matrices import MatrixCache


class TickMatrices:
    """A tick's view of the matrix cache: one version check per organisation per tick."""

    def __init__(self, cache: MatrixCache) -> None:
        self.cache = cache
        self.loaded: dict[str, Matrix] = {}
        self.leave: dict[tuple[str, datetime], list[LeavePeriod]] = {}

    def get(self, store: Store, org: str) -> Matrix:
        if org not in self.loaded:
            self.loaded[org] = self.cache.get(store, org).matrix
        return self.loaded[org]

    def leave_at(self, store: Store, org: str, at: datetime) -> list[LeavePeriod]:
        if (org, at) not in self.leave:
            self.leave[(org, at)] = store.leave_at(org, at)
        return self.leave[(org, at)]
