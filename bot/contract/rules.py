"""Who approves what falls outside the contract."""

from __future__ import annotations

from bot.matrix.model import Matrix


def approvers(matrix: Matrix) -> tuple[str, ...]:
    """The contract's `approver`, or else the internal side's admins who are accountable for
    some area (the people who answer for the work), or else all the internal side's admins."""
    contract = matrix.contract
    if contract is not None and contract.approver:
        return matrix.expand_all(contract.approver)
    admins = [p.slack for p in matrix.people.values() if p.admin and p.side == "internal"]
    accountable = {slack for area in matrix.areas for slack in matrix.expand_all(area.accountable)}
    return tuple(a for a in admins if a in accountable) or tuple(admins)
