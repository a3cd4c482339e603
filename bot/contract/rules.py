"""Who approves what falls outside the contract."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.matrix.model import Matrix
from bot.ownership.cover import Absences, LeavePeriod


def approvers(matrix: Matrix) -> tuple[str, ...]:
    """The contract's `approver`, or else the internal side's admins who are accountable for
    some area (the people who answer for the work), or else all the internal side's admins."""
    contract = matrix.contract
    if contract is not None and contract.approver:
        return matrix.expand_all(contract.approver)
    admins = [p.slack for p in matrix.people.values() if p.admin and p.side == "internal"]
    accountable = {slack for area in matrix.areas for slack in matrix.expand_all(area.accountable)}
    return tuple(a for a in admins if a in accountable) or tuple(admins)


def approvers_at(matrix: Matrix, at: datetime, leave: Iterable[LeavePeriod]) -> tuple[str, ...]:
    """Whom a request held at `at` waits for: the approvers, anyone of them away replaced by
    whoever covers them, when that is someone of the client's side (approving its spending
    is the client's decision, never the provider's). Should that leave nobody who is in, the
    approvers as named: a request always waits on someone."""
    named = approvers(matrix)
    absences = Absences(leave, at)

    def of_client(slack: str | None) -> bool:
        person = matrix.people.get(slack or "")
        return person is not None and person.side == "internal"

    reached = (absences.stand_in(a) for a in named)
    return tuple(dict.fromkeys(s for s in reached if s is not None and of_client(s))) or named
