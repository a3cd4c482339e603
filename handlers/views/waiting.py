"""Overflow held for the client's approval, as the digest and `/tandem sla` list it: what
waits, since when, why, and who decides now (named once, so each of them is pinged once)."""

from __future__ import annotations

from datetime import datetime

from bot.contract.approval import OUT_OF_SCOPE, OVER_BANK, OverflowRequest
from bot.matrix.model import Matrix
from handlers.views.markup import escape, local_time, mention, truncate, user_text

NUMBERED = 10  # held requests named by number in `/tandem sla` before "…"


def _deciders(deciders: tuple[str, ...]) -> str:
    return " or ".join(mention(d) for d in deciders)


def decides_text(deciders: tuple[str, ...]) -> str:
    """ "<@A> decides", or "<@A> or <@B> decides" (either may)."""
    return f"{_deciders(deciders)} decides" if deciders else "an approver decides"


def why_held(request: OverflowRequest) -> str:
    """ "out of scope", "over the bank for December 2026", or both."""
    parts = []
    if OUT_OF_SCOPE in request.hold.reasons:
        parts.append("out of scope")
    if OVER_BANK in request.hold.reasons:
        parts.append(f"over the bank for {escape(request.hold.period or 'this period')}")
    return " and ".join(parts) or "outside the contract"


def waiting_line(matrix: Matrix, request: OverflowRequest, now: datetime) -> str:
    """One digest line: number, priority, summary, who asked and since when, why it is held."""
    since = local_time(request.requested_at, matrix.timezone, now)
    summary = truncate(user_text(request.summary), 80)
    return (
        f"• *Held request #{request.number}* {request.priority} {summary} — asked by "
        f"{mention(request.requester)} {since}, {why_held(request)}"
    )


def waiting_count(count: int) -> str:
    """ "1 overflow request waits for approval", "2 overflow requests wait for approval"."""
    return "1 overflow request waits for approval" if count == 1 else f"{count} overflow requests wait for approval"


def waiting_sla(numbers: tuple[int, ...], deciders: tuple[str, ...]) -> str:
    """`/tandem sla`'s line: "2 overflow requests wait for approval: held #1, held #2 — <@A> decides."."""
    named = ", ".join(f"held #{n}" for n in numbers[:NUMBERED]) + (", …" if len(numbers) > NUMBERED else "")
    return f"{waiting_count(len(numbers))}: {named} — {decides_text(deciders)}."
