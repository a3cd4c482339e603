"""A console session: read lines as a chosen user, answer as Slack would.

Lines are slash commands (`/owner backups`), mention text (`@tandem who owns backups?`
or just `who owns backups?`), or console commands starting with `:` (`:as U0BEN0001`,
`:at 2026-12-25T10:00Z`, `:quit`). `@Name` is read as a mention of the person whose
name starts with it, so you can type `/tandem cover @ben until friday by @alice`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from bot.app.console.conversation import ConsoleConversation
from bot.app.console.render import mrkdwn, render_blocks
from bot.app.container import build
from bot.app.settings import Settings
from bot.clock import Clock, FixedClock
from bot.errors import TandemError
from bot.grammar import parse_line
from bot.services import handoffs as handoff_service
from handlers.dispatch import answer
from handlers.notify import ChannelNotifier
from handlers.views.blocks import Reply
from handlers.views.matrix import error_reply
from storage.db import Database

CONSOLE_HELP = (
    ":as NAME — act as someone else · :press ACTION NUMBER [note] — press a handoff button "
    "(acknowledge, take, wait, resume, hand_back, resolve) · :at ISO-TIME — set the clock · :quit"
)
BUTTONS = ("acknowledge", "take", "wait", "resume", "hand_back", "resolve")


class ConsoleSession:
    def __init__(self, settings: Settings, db: Database, clock: Clock, user: str | None, out: TextIO) -> None:
        self.clock = clock
        self.out = out
        self.people: dict[str, str] = {}  # filled below; the conversation shows mentions by these names
        self.deps = build(settings, db, clock, ChannelNotifier(ConsoleConversation(out, self.people))).deps
        self.channel: str | None = None
        self.user = user or ""
        self._load_people()

    def _load_people(self) -> None:
        with self.deps.units() as store:
            keys = store.organisation_keys()
            if not keys:
                return
            matrix = self.deps.matrices.get(store, keys[0]).matrix
        self.people.update({p.slack: p.name for p in matrix.people.values()})
        self.channel = matrix.channel
        if not self.user:
            admins = [p for p in matrix.people.values() if p.admin and p.side == "internal"]
            self.user = (admins or list(matrix.people.values()))[0].slack

    def who(self) -> str:
        return self.people.get(self.user, self.user)

    def _mentions(self, line: str) -> str:
        """`@ben` → `<@U0BEN0001>` when exactly one person's name starts with it."""

        def replace(match: re.Match) -> str:
            word = match.group(1)
            if word.lower() in ("tandem", "channel", "here", "everyone"):
                return match.group(0)
            if word in self.people:
                return f"<@{word}>"
            found = [sid for sid, name in self.people.items() if name.lower().startswith(word.lower())]
            return f"<@{found[0]}>" if len(found) == 1 else match.group(0)

        return re.sub(r"(?<![<\w])@([\w.-]+)", replace, line)

    def handle(self, line: str) -> str | None:
        """Answer one line; None means quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return ""
        if line.startswith(":"):
            return self._meta(line)
        return self.show(answer(self.deps, lambda: parse_line(self._mentions(line)), self.user, self.channel))

    def show(self, reply: Reply) -> str:
        where = "in the channel" if reply.public else "only you can see this"
        body = render_blocks(reply.blocks, self.people) if reply.blocks else mrkdwn(reply.text, self.people)
        return f"[{where}]\n{body}\n"

    def _meta(self, line: str) -> str | None:
        word, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        if word in ("quit", "q", "exit"):
            return None
        if word == "as" and arg:
            match = self._mentions("@" + arg.lstrip("@"))
            self.user = match[2:-1] if match.startswith("<@") else arg
            return f"(now acting as {self.who()})\n"
        if word == "press":
            return self._press(arg)
        if word == "at" and not isinstance(self.clock, FixedClock):
            return "(start the console with --at to set the clock)\n"
        if word == "at" and arg and isinstance(self.clock, FixedClock):
            try:
                at = datetime.fromisoformat(arg.replace("Z", "+00:00"))
                self.clock.set(at)
            except ValueError:
                return "(':at' needs a time with its offset, e.g. 2026-12-25T10:00+00:00)\n"
            return f"(clock set to {self.clock.now().isoformat()})\n"
        return f"({CONSOLE_HELP})\n"

    def _press(self, arg: str) -> str:
        """A handoff button, pressed from the terminal: the same step a click in Slack takes."""
        action, _, rest = arg.partition(" ")
        number, _, note = rest.strip().partition(" ")
        action = action.replace("-", "_").lower()
        if action not in BUTTONS or not number.lstrip("#").isdigit():
            return f"(write it as :press ACTION NUMBER [note], ACTION one of {', '.join(BUTTONS)})\n"
        try:
            handoff_service.step(self.deps, int(number.lstrip("#")), action, self.user, self.channel, note or None)
        except TandemError as error:
            return self.show(error_reply(error))
        return ""

    def run(self, lines: Iterable[str], interactive: bool) -> None:
        if interactive:
            self.out.write(f"Tandem console — you are {self.who()}. Type /tandem help, or {CONSOLE_HELP}\n")
        for line in lines:
            if not interactive and line.strip():
                self.out.write(f"{self.who()}> {line.strip()}\n")
            answer = self.handle(line)
            if answer is None:
                break
            self.out.write(answer)
            self.out.flush()
