"""Evidence an auditor can read: every handoff with who, what, when, and whether its SLA was met.

`tandem export handoffs` writes it to a file; `/tandem export` shares the same file in Slack.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from bot.errors import TandemError, Who
from bot.handoffs.clocks import attainment, clocks
from bot.handoffs.model import Handoff
from bot.matrix import rights
from bot.matrix.model import Matrix
from bot.ports import Notifier, Store

FORMATS = ("csv", "json")
COLUMNS = (
    "id",
    "kind",
    "priority",
    "area",
    "summary",
    "requester",
    "requester_side",
    "target",
    "target_side",
    "assignee",
    "status",
    "opened_at",
    "responded_at",
    "resolved_at",
    "respond_due",
    "resolve_due",
    "respond_met",
    "resolve_met",
    "minutes_to_respond",
    "minutes_to_resolve",
    "resolution",
    "original_target",
    "original_target_side",
)


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _who(matrix: Matrix, slack_id: str | None) -> str:
    if not slack_id:
        return ""
    person = matrix.people.get(slack_id)
    return f"{person.name} ({slack_id})" if person else slack_id


def _party(matrix: Matrix, ref: str) -> str:
    """A side or group by name, a person by Slack id: a CSV names people by id."""
    word = matrix.describe_party(ref)
    return word.slack if isinstance(word, Who) else word


def _met(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def row(matrix: Matrix, handoff: Handoff, now: datetime) -> dict[str, str]:
    state = clocks(handoff, matrix, now)
    result = attainment(handoff, matrix, now)
    minutes = lambda d: "" if d is None else str(int(d.total_seconds() // 60))  # noqa: E731
    return {
        "id": str(handoff.id),
        "kind": handoff.kind,
        "priority": handoff.priority,
        "area": handoff.area or "",
        "summary": handoff.summary,
        "requester": _who(matrix, handoff.requester),
        "requester_side": handoff.requester_side,
        "target": _party(matrix, handoff.target),
        "target_side": handoff.target_side,
        "original_target": _party(matrix, handoff.original_target),
        "original_target_side": handoff.original_target_side,
        "assignee": _who(matrix, handoff.assignee),
        "status": handoff.status,
        "opened_at": _when(handoff.opened_at),
        "responded_at": _when(handoff.responded_at),
        "resolved_at": _when(handoff.resolved_at),
        "respond_due": _when(state.respond.due_at) if state else "",
        "resolve_due": _when(state.resolve.due_at) if state else "",
        "respond_met": _met(result.respond_met),
        "resolve_met": _met(result.resolve_met),
        "minutes_to_respond": minutes(result.time_to_respond),
        "minutes_to_resolve": minutes(result.time_to_resolve),
        "resolution": handoff.resolution or "",
    }


def export_handoffs(store: Store, matrix: Matrix, since: datetime, now: datetime, fmt: str = "csv") -> str:
    """Handoffs opened since `since`, as CSV (one row each) or JSON (with their audit trail)."""
    if fmt not in FORMATS:
        raise TandemError(f"Unknown format '{fmt}': use csv or json.")
    handoffs = store.handoffs_since(matrix.organisation, since)
    rows: list[dict[str, Any]] = [row(matrix, h, now) for h in handoffs]
    if fmt == "json":
        trail: dict[str, list] = {}
        for event in store.audit_events(matrix.organisation, "handoff."):
            trail.setdefault(event.subject.removeprefix("handoff #"), []).append(
                {
                    "at": event.at.isoformat(),
                    "who": _who(matrix, event.actor),
                    "action": event.kind.split(".", 1)[1],
                    **{k: v for k, v in event.detail.items() if v is not None},
                }
            )
        for item in rows:
            item["events"] = trail.get(item["id"], [])
        return (
            json.dumps(
                {
                    "organisation": matrix.organisation,
                    "since": since.isoformat(),
                    "exported_at": now.isoformat(),
                    "handoffs": rows,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def share_handoffs(
    store: Store, matrix: Matrix, user: str, since: datetime, channel: str | None, now: datetime, notifier: Notifier
) -> str:
    """`/tandem export`: an admin shares the handoff evidence as a CSV file; returns the file's comment."""
    rights.require_admin(matrix, user, "export the handoff evidence")
    where = rights.share_channel(matrix, channel, "the handoff evidence")
    content = export_handoffs(store, matrix, since, now, "csv")
    rows = content.count("\n") - 1
    comment = f"Handoff evidence for {matrix.name} since {since:%Y-%m-%d}: {rows} handoff{'s' if rows != 1 else ''}."
    notifier.share_file(matrix, where, f"tandem-handoffs-{matrix.organisation}-{now:%Y%m%d}.csv", content, comment)
    return comment
