"""The answer to "who owns X?": one area in full, a choice of areas, or a helpful "don't know"."""

from __future__ import annotations

from bot.matrix.model import Matrix
from bot.ownership.duty import OwnerAnswer
from bot.services.owner import OwnerResult
from handlers import ids
from handlers.views.blocks import Reply, actions, button, context, header, section
from handlers.views.duty import nobody_sentence, stand_in_line
from handlers.views.markup import escape, local_time, mentions, parties, party


def _duty_line(matrix: Matrix, answer: OwnerAnswer) -> str:
    duty = answer.duty
    away = "".join(f"\n{stand_in_line(matrix, s, duty.at)}" for s in duty.away)
    if not duty.people:
        resume = f" Business hours resume {local_time(duty.next_open, matrix.timezone)}." if duty.next_open else ""
        nobody = nobody_sentence(matrix, escape(answer.area.name), duty, pinged=False)
        return f"*On duty now:* nobody.{resume}{away}\n{nobody}"
    when = "business hours" if duty.in_hours else "after hours"
    return f"*On duty now* ({when}): {mentions(duty.people)}{away}"


def answer_blocks(matrix: Matrix, answer: OwnerAnswer, query: str, signed: str = "") -> list[dict]:
    area = answer.area
    sla = answer.sla
    sla_text = (
        (
            f"{answer.priority}: respond within {sla.respond.describe()}, resolve within {sla.resolve.describe()}"
            f" ({'24x7' if sla.clock == '24x7' else 'business hours'})"
        )
        if sla
        else f"{answer.priority}: no targets set"
    )
    fields = [
        f"*Responsible*\n{parties(matrix, answer.responsible)}"
        + (f" (lead: {party(matrix, area.lead)})" if area.lead else ""),
        f"*After hours*\n{parties(matrix, area.after_hours) if area.after_hours else 'nobody named'}",
        f"*Accountable*\n{parties(matrix, answer.accountable)}",
        f"*Consulted*\n{parties(matrix, answer.consulted)}",
        f"*Informed*\n{parties(matrix, answer.informed)}",
        f"*Escalation*\n{parties(matrix, answer.escalation)}",
        f"*SLA*\n{sla_text}",
    ]
    blocks = [
        header(area.name),
        section(_duty_line(matrix, answer), fields),
    ]
    if area.notes:
        blocks.append(context(escape(area.notes)))
    if signed:
        blocks.append(context(signed))
    blocks.append(context(f"Matched “{escape(query)}” to area `{area.key}` · {escape(matrix.name)}"))
    blocks.append(actions(button("Start a handoff", ids.ACTION_START_HANDOFF, area.key, style="primary")))
    return blocks


def owner_reply(matrix: Matrix, result: OwnerResult, query: str, signed: str = "") -> Reply:
    """`signed`: the area's sign-off line ("Last confirmed … by … and …"), when known."""
    resolution = result.resolution
    if result.answer is not None:
        duty = result.answer.duty
        text = f"{escape(result.answer.area.name)}: on duty now {mentions(duty.people)}"
        return Reply(text, answer_blocks(matrix, result.answer, query, signed))
    if resolution.status == "ambiguous":
        options = "\n".join(f"• *{escape(m.area.name)}* — `/owner {m.area.key}`" for m in resolution.matches)
        text = f"“{escape(query)}” could mean more than one area:\n{options}"
        return Reply(text, [section(text)])
    admins = mentions([p.slack for p in result.admins])
    closest = "\n".join(f"• {escape(m.area.name)} — `/owner {m.area.key}`" for m in resolution.matches)
    text = f"No area in the matrix matches “{escape(query)}”."
    if closest:
        text += f" Closest:\n{closest}"
    text += f"\nIf it should be in the matrix, ask a matrix admin: {admins}."
    return Reply(text, [section(text), context("Try `/tandem matrix` to see every area.")])
