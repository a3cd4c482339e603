"""Overflow against the contract: straight to the provider, or held for the client's approval.

`/overflow` and `@tandem overflow …` come here. In scope and within the bank the request
opens as a handoff to the provider, as it always did. Outside the scope, or with the
period's hours used up, it is held: the approvers get Approve and Decline in the shared
channel (both sides see that it waits, and on whom), the requester hears who it waits
for. Approve opens the handoff in the requester's name; Decline closes the request with
the approver's reason. Both are audit events, and a request is decided exactly once.
Until then it waits in sight: every daily digest lists it and `/tandem sla` counts it
(holding and deciding move the handoff version on, so kept answers miss at once).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.contract.approval import Hold, OverflowRequest, Refused, check, decide, decided_words, hold_for
from bot.contract.rules import approvers_at
from bot.errors import TandemError
from bot.grammar import Command
from bot.handoffs.model import Handoff
from bot.outbox import approval_key, root_key
from bot.ownership.duty import Ping
from bot.ports import Store
from bot.services.deps import Deps
from bot.services.handoffs import open_handoff, prepare, priority_of
from bot.services.hours import report
from bot.services.matrices import LoadedMatrix
from bot.services.schedule import claimed, deliver_claimed


@dataclass(frozen=True)
class Opened:
    """The request went to the provider; `outside` says why it needed approval when the
    requester, being an approver, approved it by asking."""

    handoff: Handoff
    ping: Ping
    outside: Hold | None = None


@dataclass(frozen=True)
class Held:
    request: OverflowRequest

    @property
    def posts(self) -> list[str]:
        return [approval_key(self.request.number)]


def _hold(store: Store, loaded: LoadedMatrix, summary: str, now: datetime) -> Hold | None:
    contract = loaded.matrix.contract
    if contract is None or not (contract.scope or contract.hours):
        return None
    statement = report(store, loaded.matrix, None, now).statement if contract.hours else None
    return hold_for(loaded.scope.match(summary), statement)


def _detail(hold: Hold) -> dict:
    return {"reasons": list(hold.reasons), "closest": hold.closest, "period": hold.period}


def ask(store: Store, loaded: LoadedMatrix, requester: str, command: Command, now: datetime) -> Opened | Held:
    """Open the overflow request, or hold it for approval: its message for the approvers is
    queued in the outbox and posted after the commit (`approval_key`)."""
    matrix = loaded.matrix
    _, command, summary = prepare(loaded, requester, command)
    hold = _hold(store, loaded, summary, now)
    if hold is None:
        return Opened(*open_handoff(store, loaded, requester, command, now))
    deciders = approvers_at(matrix, now, store.leave_at(matrix.organisation, now))
    if requester in deciders:
        handoff, ping = open_handoff(store, loaded, requester, command, now)
        store.audit(
            matrix.organisation,
            now,
            requester,
            "overflow.approve",
            f"handoff #{handoff.number}",
            {**_detail(hold), "summary": summary, "by_requester": True},
        )
        return Opened(handoff, ping, hold)
    request = OverflowRequest(
        id=None,
        organisation=matrix.organisation,
        requester=requester,
        summary=summary,
        priority=priority_of(matrix, command, None),
        hold=hold,
        approvers=deciders,
        requested_at=now,
    )
    request = replace(request, id=store.add_overflow_request(request))
    store.enqueue(matrix.organisation, approval_key(request.number), "approval", {"request": request.number}, now)
    store.audit(
        matrix.organisation,
        now,
        requester,
        "overflow.held",
        f"overflow request #{request.number}",
        {**_detail(hold), "summary": summary, "priority": request.priority, "approvers": list(deciders)},
    )
    return Held(replace(request, channel=matrix.channel))


def find_request(store: Store, loaded: LoadedMatrix, number: int, lock: bool = False) -> OverflowRequest:
    request = store.get_overflow_request(loaded.matrix.organisation, number, lock)
    if request is None:
        raise TandemError(f"There is no held overflow request #{number} in {loaded.matrix.name}.")
    return request


def decision(deps: Deps, number: int, action: str, user: str, channel: str | None, reason: str = "") -> OverflowRequest:
    """Approve (the handoff opens in the requester's name) or decline (with `reason`) a held request.

    The request row is locked while it is decided and the write is a compare-and-set on
    its status, so when two approvers press at once one decides and the other is told."""
    now = deps.clock.now()
    with deps.units() as store:
        loaded = deps.matrices.for_request(store, channel, user)
        matrix = loaded.matrix
        request = find_request(store, loaded, number, lock=True)
        decided = decide(request, action, user, now, matrix, reason)
        if not store.decide_overflow_request(decided):
            raise Refused(*decided_words(find_request(store, loaded, number)), " Your click changed nothing.")
        detail: dict = {"summary": request.summary, "requester": request.requester, "reason": decided.reason}
        if action == "approve":
            command = Command("overflow", request.summary, priority=request.priority)
            handoff, _ = open_handoff(store, loaded, request.requester, command, now)
            store.release_overflow_request(number, handoff.number)
            decided = replace(decided, handoff=handoff.number)
            detail["handoff"] = handoff.number
        store.audit(matrix.organisation, now, user, f"overflow.{action}", f"overflow request #{number}", detail)
        posts = claimed(store, [root_key(decided.handoff)] if decided.handoff is not None else [], now)
    # The handoff's own posts first, then the request's message says so; what fails waits in the outbox.
    deliver_claimed(deps, posts)
    deps.notifier.approval_decided(matrix, decided)
    return decided


def check_decision(deps: Deps, number: int, user: str, channel: str | None) -> None:
    """Raise the refusal `decision` would give, before the decline form opens."""
    with deps.units(read_only=True) as store:
        loaded = deps.matrices.for_request(store, channel, user)
        check(find_request(store, loaded, number), user, loaded.matrix)
