"""Overflow outside the contract: why a request is held, and the approver's decision on it.

A request for overflow help goes to the provider at once when it is in scope and the bank
has hours left. Otherwise it is held, and the client's approver decides: Approve releases
it to the provider as a handoff, Decline closes it with a reason. A request is decided
once: whoever presses second (or presses an old message) is told who decided it and how,
and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.contract.bank import Statement
from bot.contract.rules import approvers
from bot.contract.scope import ScopeMatch
from bot.errors import TandemError, Who, Words, listing
from bot.matrix.model import Matrix

STATUSES = ("pending", "approved", "declined")
DECISIONS = {"approve": "approved", "decline": "declined"}
OUT_OF_SCOPE, OVER_BANK = "out_of_scope", "over_bank"


class Refused(TandemError):
    """A decision this person may not take, or one already taken; nothing changed."""


@dataclass(frozen=True)
class Hold:
    """Why a request falls outside the contract (at least one reason)."""

    reasons: tuple[str, ...]  # OUT_OF_SCOPE, OVER_BANK
    closest: str | None = None  # out of scope: the nearest scope entry, if any came close
    period: str | None = None  # over the bank: the period's label


def hold_for(scope: ScopeMatch, statement: Statement | None) -> Hold | None:
    """None when the request is in scope and the bank (if any) has hours left this period."""
    reasons = []
    if not scope.in_scope:
        reasons.append(OUT_OF_SCOPE)
    if statement is not None and statement.left <= 0:
        reasons.append(OVER_BANK)
    if not reasons:
        return None
    return Hold(tuple(reasons), scope.closest, statement.period.label if statement else None)


def hold_words(hold: Hold) -> str:
    """Why it is held, as a clause: "it is not in the contract's scope of work, and …"."""
    parts = []
    if OUT_OF_SCOPE in hold.reasons:
        near = f" (closest: {hold.closest})" if hold.closest else ""
        parts.append(f"it is not in the contract's scope of work{near}")
    if OVER_BANK in hold.reasons:
        parts.append(f"the bank of hours for {hold.period} is used up")
    return ", and ".join(parts)


@dataclass(frozen=True)
class OverflowRequest:
    """A held overflow request and, once decided, its outcome."""

    id: int | None
    organisation: str
    requester: str  # Slack id
    summary: str
    priority: str
    hold: Hold
    approvers: tuple[str, ...]  # who may decide (Slack ids), fixed when it was held
    requested_at: datetime
    status: str = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str = ""  # why it was declined
    handoff: int | None = None  # the handoff it became when approved
    channel: str | None = None  # the approval message
    ts: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")

    @property
    def number(self) -> int:
        if self.id is None:
            raise ValueError("this request is not stored yet, so it has no number")
        return self.id


def may_decide(request: OverflowRequest, actor: str, matrix: Matrix) -> bool:
    """Those it waits for (named when it was held: an approver away is stood in for by their
    cover), the contract's approver as it stands (back from leave, say), or any internal
    admin when the contract names none (they are the default approvers, so one leaving the
    matrix does not strand it)."""
    if actor in request.approvers or actor in approvers(matrix):
        return True
    contract = matrix.contract
    person = matrix.people.get(actor)
    defaulted = contract is None or not contract.approver
    return defaulted and person is not None and person.admin and person.side == "internal"


def decide(
    request: OverflowRequest, action: str, actor: str, now: datetime, matrix: Matrix, reason: str = ""
) -> OverflowRequest:
    """The request approved or declined by `actor`, or `Refused` saying why not."""
    if action not in DECISIONS:
        raise ValueError(f"unknown decision {action!r}: expected approve or decline")
    check(request, actor, matrix)
    reason = reason.strip()
    if action == "decline" and not reason:
        raise Refused("Say why it is declined, so the requester knows what to do instead.")
    return replace(request, status=DECISIONS[action], decided_by=actor, decided_at=now, reason=reason)


def check(request: OverflowRequest, actor: str, matrix: Matrix) -> None:
    """`Refused` when the request is decided already or `actor` may not decide it."""
    if request.status != "pending":
        raise Refused(*decided_words(request), " Your click changed nothing.")
    if not may_decide(request, actor, matrix):
        raise Refused(
            "Only ",
            *listing(tuple(dict.fromkeys(request.approvers + approvers(matrix))), sep=" or "),
            " can approve or decline overflow outside the contract: it is the client's decision. "
            "Your click changed nothing.",
        )


def decided_words(request: OverflowRequest) -> Words:
    """ "@Alice already approved this request (handoff #12)." and the like."""
    if request.status == "pending" or request.decided_by is None:
        return ("This request is still waiting for approval.",)
    if request.status == "approved":
        became = f" (it is handoff #{request.handoff})" if request.handoff else ""
        return (Who(request.decided_by), f" already approved this request{became}.")
    return (Who(request.decided_by), f" already declined this request: “{request.reason}”.")
