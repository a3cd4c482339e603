"""Finding one handoff of the organisation a request belongs to, or saying there is none."""

from __future__ import annotations

from bot.errors import TandemError
from bot.handoffs.model import Handoff
from bot.ports import Store
from bot.services.matrices import LoadedMatrix


def find(store: Store, loaded: LoadedMatrix, handoff_id: int, lock: bool = False) -> Handoff:
    handoff = store.get_handoff(loaded.matrix.organisation, handoff_id, lock)
    if handoff is None:
        raise TandemError(
            f"There is no handoff #{handoff_id} in {loaded.matrix.name}: `/tandem sla` lists the open ones."
        )
    return handoff
