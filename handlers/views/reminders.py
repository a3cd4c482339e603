"""Scheduled posts: SLA warnings and breaches and review reminders; `/tandem reviews` and `done`."""

from __future__ import annotations

import json
from datetime import datetime

from bot.handoffs.clocks import clocks
from bot.matrix.model import Matrix, Review
from bot.reviews.cadence import ReviewStatus
from bot.reviews.schedule import parse_schedule
from bot.services.reviews import Done
from handlers import ids
from handlers.views.blocks import Reply, actions, button, context, header, section
from handlers.views.handoff import handoff_line, title
from handlers.views.markup import escape, local_date, local_time, mention, mentions, parties, truncate, user_text


def _deadline(matrix: Matrix, handoff, clock: str, now: datetime) -> str:
    """When the named clock is (or was) due, as a date token; empty when it has no target."""
    state = clocks(handoff, matrix, now)
    running = None if state is None else (state.respond if clock == "respond" else state.resolve)
    return f" (due {local_time(running.due_at, matrix.timezone)})" if running and running.due_at else ""


def sla_alert_text(matrix: Matrix, handoff, payload: dict, people: tuple[str, ...], now: datetime) -> str:
    clock = "first response" if payload["clock"] == "respond" else "resolution"
    due = _deadline(matrix, handoff, payload["clock"], now)
    if payload["breach"]:
        return f":red_circle: {mentions(people)}: the {clock} target of {title(handoff)} is breached{due}."
    return f":warning: {mentions(people)}: {payload['percent']}% of the {clock} time of {title(handoff)} is used{due}."


def sla_breach_blocks(
    matrix: Matrix, handoff, payload: dict, people, escalation, now: datetime
) -> tuple[str, list[dict]]:
    clock = "first response" if payload["clock"] == "respond" else "resolution"
    text = (
        f":rotating_light: SLA breach: {title(handoff)} missed its {clock} target"
        f"{_deadline(matrix, handoff, payload['clock'], now)}. "
        f"{mentions(people)}; escalation: {mentions(escalation)}."
    )
    return text, [section(text), section(handoff_line(matrix, handoff, now, payload["clock"]))]


def held_notice_text(matrix: Matrix, channel: str, reason: str) -> str:
    """To an admin: posts for the organisation wait, because Tandem cannot post in `channel`."""
    return _held_text(f"for {escape(matrix.name)}", channel, reason, "name another `channel:` in the matrix")


def fleet_held_text(channel: str, reason: str) -> str:
    """To a provider admin: the fleet digest waits, because Tandem cannot post in the fleet channel."""
    return _held_text("the fleet digest", channel, reason, "set TANDEM_FLEET_CHANNEL to another channel")


def _held_text(what: str, channel: str, reason: str, elsewhere: str) -> str:
    why = {
        "not_in_channel": "I'm not a member of it: invite me there with /invite @tandem",
        "is_archived": f"it is archived: unarchive it and invite me, or {elsewhere}",
    }.get(reason, f"I cannot see it (deleted, or private without me): invite me, or {elsewhere}")
    return (
        f":warning: I could not post {what} in <#{channel}>: {why}. "
        "What I have to post there waits, and goes out as soon as I can post again."
    )


def _review_words(matrix: Matrix, review: Review) -> str:
    owner = parties(matrix, (review.owner,)) if review.owner else "no owner set"
    reference = f" · {escape(review.reference)}" if review.reference else ""
    return f"Owner: {owner}{reference}"


def review_blocks(
    matrix: Matrix,
    review: Review,
    due_at: datetime,
    stage: str,
    people: tuple[str, ...],
    escalate_to: tuple[str, ...],
) -> tuple[str, list[dict]]:
    """`people`: whom the post pings (the owner now); with no owner set, it says so instead."""
    when = local_time(due_at, matrix.timezone)
    name = escape(review.name)
    owners = mentions(people) if people else "No owner is set in the matrix"
    lines = {
        "remind": f":calendar: Coming up: *{name}* is due {when}. {owners}",
        "due": f":clipboard: Due: *{name}* ({when}). {owners}, mark it done with the evidence.",
        "overdue": f":hourglass: Overdue: *{name}* was due {when}. {owners}",
        "escalate": f":rotating_light: Still not done: *{name}* was due {when}. Escalating to {mentions(escalate_to)}.",
    }
    text = lines[stage]
    blocks = [section(text), context(_review_words(matrix, review))]
    if stage != "remind":
        value = f"{review.key}|{due_at.isoformat()}"
        blocks.append(
            actions(button("Mark done", ids.ACTION_REVIEW_DONE, value, "primary"), block_id=f"review-{review.key}")
        )
    return text, blocks


def review_when(status: ReviewStatus, timezone: str) -> str:
    """ "overdue since …" or "due …": the review's state and time in one phrase."""
    when = local_time(status.due_at, timezone)
    return f"overdue since {when}" if status.state == "overdue" else f"due {when}"


def reviews_reply(matrix: Matrix, statuses: list[ReviewStatus]) -> Reply:
    if not matrix.reviews:
        return Reply("No reviews are defined in the matrix.", [section("No reviews are defined in the matrix.")])
    icon = {"overdue": ":red_circle:", "due": ":large_orange_circle:", "upcoming": ":white_circle:"}
    lines = [
        f"{icon[s.state]} *{escape(s.review.name)}* (`{escape(s.review.key)}`) — {review_when(s, matrix.timezone)}"
        for s in statuses
    ]
    listed = {s.review.key for s in statuses}
    later = [r for r in matrix.reviews if r.key not in listed]
    blocks = [header("Reviews")]
    blocks.append(
        section(
            "\n".join(lines[:40]) + (f"\n…and {len(lines) - 40} more" if len(lines) > 40 else "")
            if lines
            else "Nothing overdue or due in the next 7 days."
        )
    )
    if later:
        shown = ", ".join(f"{escape(r.name)} ({parse_schedule(r.schedule).describe()})" for r in later[:10])
        blocks.append(context("Later: " + shown + (f", and {len(later) - 10} more" if len(later) > 10 else "")))
    blocks.append(context("Complete one with `/tandem done <review> [evidence]`."))
    return Reply(f"{len(statuses)} reviews overdue or due in the next 7 days", blocks)


def done_reply(done: Done, matrix: Matrix, user: str, evidence: str) -> Reply:
    """A cycle completed, or (done already) who did it and when, with the new evidence added."""
    review, before = done.review, done.before
    due = local_time(done.due_at, matrix.timezone)
    said = f": {truncate(user_text(evidence), 500)}" if evidence.strip() else ""
    if before is None:
        text = f"{mention(user)} completed *{escape(review.name)}* (due {due}){said or '.'}"
        return Reply(text, [section(f":white_check_mark: {text}")], public=True)
    when = local_date(before.done_at, matrix.timezone, done.due_at)
    text = f"*{escape(review.name)}* (due {due}) was already done by {mention(before.done_by)} on {when}."
    if said:
        text += f" {mention(user)}'s evidence is added to it{said}"
        return Reply(text, [section(f":white_check_mark: {text}")], public=True)
    text += " Nothing changed: add evidence after the review's key to attach it to that cycle."
    return Reply(text, [section(f":information_source: {text}")])


def review_done_modal(review: Review, due_at: datetime, channel: str | None, ts: str | None) -> dict:
    return {
        "type": "modal",
        "callback_id": ids.VIEW_REVIEW_DONE,
        "title": {"type": "plain_text", "text": "Review done"},
        "submit": {"type": "plain_text", "text": "Mark done"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps(
            {"review": review.key, "due_at": due_at.isoformat(), "channel": channel, "ts": ts}
        ),
        "blocks": [
            section(f"*{escape(review.name)}*"),
            {
                "type": "input",
                "block_id": "evidence",
                "label": {"type": "plain_text", "text": "Evidence (a note or a link)"},
                "element": {"type": "plain_text_input", "action_id": "evidence", "multiline": True, "max_length": 2000},
            },
        ],
    }
