"""The bot wired exactly as `tandem run` wires it, driven in-process by a test.

`InProcess` wraps a container built by the composition root (Slack notifier against the
stand-in, or any other) and offers the few calls tests make: answer a command, open a
handoff, press a button, open a unit of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from bot.app.container import Container
from bot.grammar import Command
from bot.handoffs.model import Handoff
from bot.ownership.duty import Ping
from bot.ports import Store
from bot.services import handoffs as handoff_service
from handlers.dispatch import answer
from handlers.views.blocks import Reply


class InProcess:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.deps = container.deps
        self.db = container.db
        self.clock = container.deps.clock

    def answer(self, command: Command, user: str, channel: str | None) -> Reply:
        return answer(self.deps, lambda: command, user, channel)

    def open_handoff(self, command: Command, user: str, channel: str | None) -> tuple[Handoff, Ping]:
        return handoff_service.open_from(self.deps, command, user, channel)

    def act(self, handoff_id: int, action: str, user: str, channel: str | None, note: str | None = None) -> Handoff:
        return handoff_service.step(self.deps, handoff_id, action, user, channel, note)

    @contextmanager
    def unit(self, read_only: bool = False) -> Iterator[Store]:
        with self.deps.units(read_only) as store:
            yield store
