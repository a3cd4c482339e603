"""`/owner @person`: the areas and rotas a person answers for, and their leave or cover now."""

from __future__ import annotations

from bot.matrix.model import Matrix
from bot.services.person import ROLES, PersonDuties
from handlers.views.blocks import Reply, context, header, section
from handlers.views.leave import cover_words, period_text
from handlers.views.markup import escape, local_time, mention, mentions, party

ROLE_TITLES = {
    "responsible": "Responsible",
    "accountable": "Accountable",
    "after_hours": "After hours",
    "escalation": "Escalation contact",
}


def person_reply(matrix: Matrix, duties: PersonDuties) -> Reply:
    who = duties.person
    side = matrix.sides_by_key[who.side]
    blocks = [
        header(f"What {who.name} covers"),
        section(f"{mention(who.slack)} — {escape(side.name)} ({side.key})" + (", a matrix admin" if who.admin else "")),
    ]
    for role in ROLES:
        held = [h for h in duties.held if h.role == role]
        if held:
            names = [escape(h.area.name) + (f" (as {party(matrix, h.through)})" if h.through else "") for h in held]
            blocks.append(section(f"*{ROLE_TITLES[role]}*\n" + "; ".join(names)))
    if not duties.held:
        blocks.append(section("No area names them, themselves or through a side, group or rota."))
    for on_rota in duties.rotas:
        turn = on_rota.turn
        if turn is None:
            when = "no turn in the next round"
        elif turn.starts_at <= duties.now:
            when = f"on now, until {local_time(turn.ends_at, matrix.timezone, duties.now)}"
        else:
            when = f"next turn from {local_time(turn.starts_at, matrix.timezone, duties.now)}"
        blocks.append(section(f"*Rota* {escape(on_rota.rota.name)} (`{on_rota.rota.ref}`): {when}"))
    blocks.append(section("*Now*\n" + _now(matrix, duties)))
    blocks.append(context("`/owner <thing>` asks who owns an area; `/tandem cover list` shows everyone's leave."))
    return Reply(f"What {escape(who.name)} covers in {escape(matrix.name)}", blocks)


def _now(matrix: Matrix, duties: PersonDuties) -> str:
    lines = []
    if duties.away is not None:
        lines.append(f"Away {period_text(matrix, duties.away.period, duties.now)}, {cover_words(duties.away)}.")
    else:
        lines.append("In (no leave under way).")
    if duties.covering:
        lines.append(
            f"Standing in for {mentions(duties.covering)}, who {'is' if len(duties.covering) == 1 else 'are'} away."
        )
    for period in duties.booked:
        cover = f", covered by {mention(period.cover)}" if period.cover else ", no cover set"
        lines.append(f"Booked: away {period_text(matrix, period, duties.now)}{cover}.")
    return "\n".join(lines)
