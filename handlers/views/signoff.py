"""The matrix sign-off in words: the Confirm message, its thread lines, `/tandem confirm`'s
answer, and each area's "last confirmed DATE by A and B"."""

from __future__ import annotations

from datetime import datetime

from bot.contract.signoff import AreaSignoff, ChangeSet, review_interval
from bot.matrix.model import Matrix
from bot.services.signoff import Confirmed
from handlers import ids
from handlers.views.blocks import Reply, actions, button, context, section
from handlers.views.markup import escape, local_date, local_time, mention, mentions

LISTED = 30  # change lines shown in the message


def _side_name(matrix: Matrix, key: str) -> str:
    side = matrix.side(key)
    return escape(side.name) if side else key


def _side_status(matrix: Matrix, change: ChangeSet, key: str) -> str:
    mark = change.side(key)
    if mark is not None:
        return f"*{_side_name(matrix, key)}*: confirmed by {mention(mark.by)} {local_time(mark.at, matrix.timezone)}"
    admins = [p.slack for p in matrix.admins() if p.side == key]
    return f"*{_side_name(matrix, key)}*: waiting for an admin ({mentions(admins)})"


def signoff_blocks(matrix: Matrix, change: ChangeSet) -> tuple[str, list[dict]]:
    """The change with Confirm until one admin of each side has pressed it."""
    count = len(change.areas)
    if change.is_review:
        text = (
            f"Both sides confirm the responsibility matrix of {escape(matrix.name)}: every area as it stands ({count})."
        )
    else:
        text = (
            f"The responsibility matrix of {escape(matrix.name)} changed who owns what in "
            f"{count} area{'s' if count != 1 else ''}: one admin of each side confirms it."
        )
    lines = [f"• {escape(line)}" for line in change.lines[:LISTED]]
    if len(change.lines) > LISTED:
        lines.append(f"…and {len(change.lines) - LISTED} more (`tandem audit-log export` has them all)")
    blocks = [section(f":memo: {text}")]
    if not change.is_review:
        blocks.append(section("\n".join(lines)))
    blocks.append(section("\n".join(_side_status(matrix, change, s.key) for s in matrix.sides)))
    if change.confirmed_at is None:
        blocks.append(actions(button("Confirm", ids.ACTION_CONFIRM_MATRIX, str(change.number), "primary")))
    else:
        blocks.append(section(":white_check_mark: Confirmed by both sides."))
    blocks.append(context(f"Matrix change #{change.number} · each confirmation is an audit event"))
    return text, blocks


def confirmed_thread_text(matrix: Matrix, change: ChangeSet, by: str) -> str:
    person = matrix.people.get(by)
    side = _side_name(matrix, person.side) if person else "their side"
    text = f"{mention(by)} confirmed this for {side}."
    if change.confirmed_at is not None:
        text += " Both sides have confirmed it."
    return text


def confirm_reply(matrix: Matrix, done: Confirmed, user: str) -> Reply:
    person = matrix.people.get(user)
    side = _side_name(matrix, person.side) if person else "your side"
    other = _side_name(matrix, matrix.other_side(person.side if person else None))
    if done.opened is not None:
        text = (
            f"You confirmed every area of {escape(matrix.name)} for {side}. An admin of {other} confirms it "
            f"with the button in <#{matrix.channel}> (or with /tandem confirm)."
        )
        return Reply(text, [section(f":memo: {text}")])
    numbers = ", ".join(f"#{c.number}" for c in done.confirmed)
    complete = [c for c in done.confirmed if c.confirmed_at is not None]
    text = f"You confirmed matrix change{'s' if len(done.confirmed) != 1 else ''} {numbers} for {side}."
    if complete:
        text += f" {len(complete)} now confirmed by both sides."
    if len(complete) < len(done.confirmed):
        rest = "It waits" if len(done.confirmed) == 1 else "The rest wait"
        text += f" {rest} for an admin of {other}."
    return Reply(text, [section(f":memo: {text}")])


def signoff_line(matrix: Matrix, state: AreaSignoff | None, now: datetime) -> str:
    """ "Last confirmed Wed 02 Dec by @Alice and @Priya", with what waits and whether it is stale."""
    if state is None:
        return ""
    parts = []
    if state.confirmed_at is not None and state.confirmed_by is not None:
        internal, provider = state.confirmed_by
        when = local_date(state.confirmed_at, matrix.timezone, now)
        parts.append(f"Last confirmed {when} by {mention(internal)} and {mention(provider)}")
    else:
        parts.append("Not confirmed by both sides yet")
    if state.waiting is not None:
        parts.append(f"a change of {local_date(state.waiting.at, matrix.timezone, now)} waits for confirmation")
    if state.stale:
        parts.append(f"stale: not re-confirmed within {review_interval(matrix).days} days (/tandem confirm)")
    return " · ".join(parts)


def signoff_mark(state: AreaSignoff | None) -> str:
    """A few words for the matrix summary's line of an area."""
    if state is None:
        return ""
    if state.stale:
        return " · _stale_"
    if state.waiting is not None or state.confirmed_at is None:
        return " · _unconfirmed_"
    return " · confirmed"
