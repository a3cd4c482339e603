"""Each organisation's matrix read once per scheduler tick, not once per due item."""

from __future__ import annotations

from bot.matrix.model import Matrix
from bot.ports import Store
from bot.services.matrices import MatrixCache


class TickMatrices:
    """A tick's view of the matrix cache: one version check per organisation per tick."""

    def __init__(self, cache: MatrixCache) -> None:
        self.cache = cache
        self.loaded: dict[str, Matrix] = {}

    def get(self, store: Store, org: str) -> Matrix:
        if org not in self.loaded:
            self.loaded[org] = self.cache.get(store, org).matrix
        return self.loaded[org]
