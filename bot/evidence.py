"""Audit evidence as the domain sees it: who did what, when, to which subject."""

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
