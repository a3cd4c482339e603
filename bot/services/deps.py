"""What every use case is handed: the unit of work, the clock, the notifier and the caches.

The composition root (`bot/app/`) builds one `Deps` per process, with the notifier of its
surface (Slack or the console) already in it, and hands it to the Slack listeners through
Bolt's context and to the console directly, so every surface answers the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.digests.fleet import FleetSchedule
from bot.ports import Notifier, UnitOfWork
from bot.services.answers import AnswerCache
from bot.services.matrices import MatrixCache
from bot.services.pacing import Pacing
from bot.services.report import Render


@dataclass(frozen=True)
class Deps:
    units: UnitOfWork
    clock: Clock
    notifier: Notifier
    matrices: MatrixCache
    render_review: Render | None = None  # the service review as an HTML page; None where nothing draws it
    answers: AnswerCache = field(default_factory=AnswerCache)
    pacing: Pacing = field(default_factory=Pacing)  # how the tick spaces its posts per channel
    fleet: FleetSchedule | None = None  # the weekly fleet digest's channel and time; None: not posted

    def __deepcopy__(self, memo: dict[int, Any]) -> Deps:
        """Never copied: Bolt deep-copies a request's context for lazy listeners, and the
        engine and caches behind these must stay the ones the process shares."""
        return self
