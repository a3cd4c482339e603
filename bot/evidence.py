"""Audit evidence as the domain sees it: who did what, when, to which subject.

Each stored event also carries its place in its organisation's hash chain (`seq`, the
hash of the event before it, and its own hash), so an exported log can be checked by
anyone: see `bot.audit.chain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str  # a Slack id, or "cli"/"scheduler" for unattended changes
    kind: str  # "matrix.import", "cover.set", "handoff.acknowledge", "review.done", ...
    subject: str
    detail: dict = field(default_factory=dict)
    organisation: str = ""
    seq: int = 0  # 1, 2, 3 … within the organisation, in the order the events were appended
    prev_hash: str = ""  # the hash of event seq - 1 (the chain's genesis value for the first)
    hash: str = ""
