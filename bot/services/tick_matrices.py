"""Each organisation's matrix read once per scheduler tick, not once per due item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.matrix.model import Matrix

if TYPE_CHECKING:
    from bot.services.matrices import MatrixCache
    from storage.store import Store


class TickMatrices:
    """A tick's view of the matrix cache: one version check per organisation per tick."""

    def __init__(self, cache: MatrixCache) -> None:
        self.cache, self.loaded = cache, {}

    def get(self, store: Store, org: str) -> Matrix:
        if org not in self.loaded:
            self.loaded[org] = self.cache.get(store, org).matrix
        return self.loaded[org]
