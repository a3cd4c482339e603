"""`/tandem rota`: who is on now, when the turn passes on, and who stands in for anyone away."""

from __future__ import annotations

from datetime import datetime

from bot.matrix.model import Matrix
from bot.ownership.when import WEEKDAYS
from bot.services.rotas import RotaNow, Shift
from handlers.views.blocks import Reply, context, header, section
from handlers.views.leave import cover_words
from handlers.views.markup import escape, local_time, mention


def _every(rota_now: RotaNow) -> str:
    handover = rota_now.rota.handover
    weeks, days = divmod(handover.every, 7)
    if days == 0:
        every = "every week" if weeks == 1 else f"every {weeks} weeks"
    else:
        every = "every day" if handover.every == 1 else f"every {handover.every} days"
    on = f" on {WEEKDAYS[handover.weekday].capitalize()}" if handover.weekday is not None else ""
    return f"hands over {every}{on} at {handover.at:%H:%M}"


def _away(shift: Shift) -> str:
    return f" (away: {cover_words(shift.stand_in)})" if shift.stand_in else ""


def rota_reply(matrix: Matrix, rotas: list[RotaNow], now: datetime) -> Reply:
    blocks = [header("Rotas" if len(rotas) > 1 else f"Rota — {rotas[0].rota.name}")]
    for rota_now in rotas:
        current, *ahead = rota_now.shifts
        until = local_time(current.turn.ends_at, matrix.timezone, now)
        lines = [
            f"*{escape(rota_now.rota.name)}* (`{rota_now.rota.ref}`) — {_every(rota_now)}",
            f"*On now:* {mention(current.turn.person)} until {until}{_away(current)}",
            *(
                f"• {local_time(s.turn.starts_at, matrix.timezone, now)} — {mention(s.turn.person)}{_away(s)}"
                for s in ahead
            ),
        ]
        blocks.append(section("\n".join(lines)))
        used = ", ".join(escape(place) for place in rota_now.used_by) or "nothing yet: name it as rota:KEY in an area"
        blocks.append(context(f"Used by: {used}"))
    on_now = "; ".join(f"{escape(r.rota.name)}: {mention(r.shifts[0].turn.person)}" for r in rotas)
    return Reply(f"On now — {on_now}", blocks)
