"""A handoff as an immutable value, and the error a refused step raises.

Storage turns rows into `Handoff`s and back; `transitions` turns one `Handoff` into the next.
Keeping the record free of Slack and SQL lets the console, the scheduler and the Slack
handlers share one set of rules and lets tests state those rules with plain values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.errors import TandemError
from bot.matrix.model import SIDES
from bot.sla.clock import Pause

STEP_DONE = {  # a step as the sentence "<someone> … " tells it
    "open": "opened it",
    "acknowledge": "acknowledged it",
    "take": "took it",
    "wait": "set it waiting on the requester",
    "resume": "resumed it",
    "hand_back": "handed it back",
    "resolve": "resolved it",
}
STATUSES = ("open", "acknowledged", "in_progress", "waiting", "handed_back", "resolved")
ACTIONS = ("acknowledge", "take", "wait", "resume", "hand_back", "resolve")
KINDS = ("handoff", "overflow")


@dataclass(frozen=True)
class Handoff:
    """One request from one side to the other, with who holds it now and what stops its clocks."""

    id: int | None
    organisation: str
    kind: str  # handoff | overflow
    summary: str
    priority: str  # P1..P4
    requester: str  # Slack id of a person of the matrix
    requester_side: str  # "internal" | "provider"
    target_side: str  # the side expected to act now
    target: str  # party ref the handoff was sent to: side, side.group or Slack id
    opened_at: datetime
    details: str = ""
    area: str | None = None  # area key
    assignee: str | None = None
    status: str = "open"
    responded_at: datetime | None = None  # first response by the other side: stops the respond clock
    resolved_at: datetime | None = None
    resolution: str | None = None
    pauses: tuple[Pause, ...] = ()  # waiting on the requester: pauses the resolve clock
    channel: str | None = None
    ts: str | None = None  # root message ts in Slack
    version: int = 1  # counts the steps taken; a step applies only to the version its presser saw
    # Who it was first sent to: `target` and `target_side` move on a hand back, these never do
    # (empty when built: the target it is built with).
    original_target: str = ""
    original_target_side: str = ""

    def __post_init__(self) -> None:
        if not self.original_target:
            object.__setattr__(self, "original_target", self.target)
        if not self.original_target_side:
            object.__setattr__(self, "original_target_side", self.target_side)
        # A bad value here is a bug in the caller or a corrupt row, not something a user can fix.
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        for name in ("requester_side", "target_side", "original_target_side"):
            if getattr(self, name) not in SIDES:
                raise ValueError(f"{name} must be one of {', '.join(SIDES)}, not {getattr(self, name)!r}")

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    @property
    def number(self) -> int:
        """The stored handoff's number (its id); one not stored yet has none."""
        if self.id is None:
            raise ValueError("this handoff is not stored yet, so it has no number")
        return self.id


@dataclass(frozen=True)
class Transition:
    """One step, kept for the audit trail: who did what, when, and the status either side of it."""

    action: str
    actor: str
    at: datetime
    before: str
    after: str
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """As queued with the thread reply announcing it (posted after the commit)."""
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Transition:
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


class Moved(TandemError):
    """The handoff was moved on since the person saw it (another click won); nothing changed."""


class Forbidden(TandemError):
    """A step this actor may not take now; the message says why and what to do instead."""
