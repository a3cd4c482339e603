"""The running bot's shared parts: settings, database, clock and matrix cache.

Built once per process by the entry point and handed to every surface (Slack listeners
through Bolt's context, the console directly), so they all answer the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.grammar import Command
from bot.handoffs.transitions import apply
from bot.services import handoffs as handoff_service
from bot.ports import Notifier
from bot.services.matrices import MatrixCache
from bot.settings import Settings
from handlers.dispatch import Request, run
from handlers.views.blocks import Reply
from storage.db import Database
from storage.store import Store


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    notifier: Notifier | None = None
    matrices: MatrixCache = field(default_factory=MatrixCache)
    org_ids: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def unit(self, immediate: bool = False) -> Iterator[Store]:
        """One unit of work: a store over one transaction (`immediate`: it claims rows)."""
        with self.db.session(immediate) as session:
            yield Store(session, self.org_ids)

    def __deepcopy__(self, memo) -> "Runtime":
        """Never copied: Bolt deep-copies a request's context for lazy listeners, and the
        runtime (engine, caches) must stay the one the process shares."""
        return self

    def warm(self) -> None:
        """Load every matrix before serving, so the first Slack request is as quick as the rest."""
        with self.unit() as store:
            self.matrices.warm(store)

    def act(self, handoff_id: int, action: str, user: str, channel: str | None, note: str | None = None):
        """A button or modal moved a handoff along; TandemError says why not.

        The channel hears of it after the commit, never before."""
        now = self.clock.now()
        with self.unit() as store:
            loaded = self.matrices.for_request(store, channel, user)
            changed, transition = handoff_service.act(store, loaded, handoff_id, action, user, now, note)
        self.notifier.handoff_changed(loaded.matrix, changed, transition, now)
        return changed

    def check(self, handoff_id: int, action: str, user: str, channel: str | None) -> None:
        """Raise the refusal `act` would give, without changing anything."""
        with self.unit() as store:
            loaded = self.matrices.for_request(store, channel, user)
            apply(handoff_service.find(store, loaded, handoff_id), action, user, self.clock.now(), loaded.matrix)

    def open_handoff(self, command: Command, user: str, channel: str | None, details: str = ""):
        with self.unit() as store:
            loaded = self.matrices.for_request(store, channel, user)
            return handoff_service.open_handoff(store, loaded, user, command, self.clock.now(), self.notifier, details)

    def default_channel(self, user: str) -> str | None:
        """The shared channel of the user's organisation: where to answer when a modal has no channel."""
        with self.unit() as store:
            org = store.organisation_for(None, user)
            return self.matrices.get(store, org).matrix.channel if org else None

    def answer(self, command: Command, user: str, channel: str | None) -> Reply:
        with self.unit() as store:
            return run(Request(store, self.matrices, user, channel, self.clock.now(), self.notifier), command)
