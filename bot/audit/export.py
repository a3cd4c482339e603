"""The audit log as a file an auditor can read and check: CSV (one row per event) or JSON.

Both carry every field the hash covers, so `bot.audit.chain.verify` can check an exported
log away from Tandem. People appear by Slack id, with their name from the matrix beside it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.audit.chain import Head, canonical, instant
from bot.evidence import AuditRecord
from bot.matrix.model import Matrix

FORMATS = ("csv", "json")
COLUMNS = (
    "organisation",
    "seq",
    "at",
    "actor",
    "actor_name",
    "kind",
    "subject",
    "detail",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class Log:
    """One organisation's events, with the matrix that names its people and the chain's head."""

    organisation: str
    matrix: Matrix | None
    records: list[AuditRecord]
    head: Head | None = None


def _name(matrix: Matrix | None, actor: str) -> str:
    person = matrix.people.get(actor) if matrix else None
    return person.name if person else ""


def row(record: AuditRecord, matrix: Matrix | None) -> dict[str, Any]:
    return {
        "organisation": record.organisation,
        "seq": record.seq,
        "at": instant(record.at),
        "actor": record.actor,
        "actor_name": _name(matrix, record.actor),
        "kind": record.kind,
        "subject": record.subject,
        "detail": record.detail,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def to_csv(logs: list[Log]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for log in logs:
        for record in log.records:
            writer.writerow({**row(record, log.matrix), "detail": canonical(record.detail)})
    return buffer.getvalue()


def to_json(logs: list[Log], since: datetime | None, now: datetime) -> str:
    """Every organisation's events and its chain head (events before `since` left out)."""
    document = {
        "exported_at": instant(now),
        "since": instant(since) if since else None,
        "organisations": [
            {
                "organisation": log.organisation,
                "head": {"seq": log.head.seq, "hash": log.head.hash} if log.head else None,
                "events": [row(r, log.matrix) for r in log.records],
            }
            for log in logs
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
