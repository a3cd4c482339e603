"""Duty in words: who is away and who stands in, and why nobody is on duty and who was pinged.

Every reply and post that names who was pinged goes through these, so "nobody on duty" always
comes with the reason and the people pinged instead, never with an empty ping.
"""

from __future__ import annotations

from datetime import datetime

from bot.matrix.model import Matrix
from bot.ownership.cover import StandIn
from bot.ownership.duty import ALL_AWAY, ASKER, Duty, Fallback, Ping
from handlers.views.leave import cover_words, period_text
from handlers.views.markup import escape, local_time, mention, mentions


def stand_in_line(matrix: Matrix, stand_in: StandIn, now: datetime) -> str:
    """`@Alice is away until …, covered by @Cara (through @Ben, away too).`"""
    period = stand_in.period
    return f"{mention(period.person)} is away {period_text(matrix, period, now)}, {cover_words(stand_in)}."


def fallback_words(matrix: Matrix, fallback: Fallback) -> str:
    """Who the fallback is, in its role: `the escalation contacts: @Priya`."""
    side = matrix.side(fallback.side) if fallback.side else None
    whose = f"{escape(side.name)}'s admins" if side else "the admins"
    role = {
        "escalation": "the escalation contacts",
        "admins": whose,
        "accountable": "the accountable person",
        "away": f"{whose} though they are away",
    }[fallback.kind]
    covering = f", covering for {mentions(fallback.covered)}" if fallback.covered else ""
    return f"{role}: {mentions(fallback.people)}{covering}"


def why_nobody(matrix: Matrix, duty: Duty) -> str:
    """Why nobody is on duty: the hour and what the matrix or the leave says."""
    when = local_time(duty.at, matrix.timezone)
    closed = {"holiday": f"{when}, a holiday", "hours": f"{when}, outside business hours"}.get(duty.closed or "")
    if duty.reason in (ALL_AWAY, ASKER):
        away = {
            ALL_AWAY: "everyone on duty is away and nobody who covers is in",
            ASKER: "the one on duty is the person who asked",
        }[duty.reason]
        return f"{closed}: {away}" if closed else away
    return f"{closed or when}, and the matrix names nobody for after hours"


def nobody_sentence(matrix: Matrix, what: str, duty: Duty, pinged: bool = True) -> str:
    """`Nobody is on duty for On-site hardware now (Sat 22:00, outside business hours, …); pinged …`."""
    if duty.fallback is None:
        return ""
    verb = "pinged" if pinged else "a handoff now pings"
    nobody = "Nobody else" if duty.reason == ASKER else "Nobody"
    return f"{nobody} is on duty for {what} now ({why_nobody(matrix, duty)}); {verb} {fallback_words(matrix, duty.fallback)}."


def urgent_sentence(ping: Ping) -> str:
    """A P1 out of hours also pings the escalation contacts, and says so."""
    if not ping.urgent:
        return ""
    return f"P1 outside business hours, so the escalation contacts are pinged too: {mentions(ping.urgent)}."


def ping_sentences(matrix: Matrix, what: str, ping: Ping) -> list[str]:
    """What a handoff's reply and thread add about who was pinged, beyond their mentions."""
    lines = [stand_in_line(matrix, s, ping.duty.at) for s in ping.duty.away]
    lines += [nobody_sentence(matrix, what, ping.duty), urgent_sentence(ping)]
    return [line for line in lines if line]
