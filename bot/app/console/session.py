"""A console session: read lines as a chosen user, answer as Slack would.

Lines are slash commands (`/owner backups`), mention text (`@tandem who owns backups?`
or just `who owns backups?`), or console commands starting with `:` (`:as U0BEN0001`,
`:press ack 1`, `:at 2026-12-25T10:00Z`, `:tick`, `:quit`). `@Name` is read as a mention
of the person whose name starts with it, so you can type `/tandem cover @ben until friday by @alice`.

`:at` and `:tick` run the scheduler's tick, the same one `tandem run` beats with, so SLA
warnings, breaches, review reminders and digests appear as the channel would show them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, time
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.app.console.conversation import ConsoleConversation
from bot.app.console.render import mrkdwn, render_blocks
from bot.app.container import build
from bot.app.settings import Settings
from bot.errors import TandemError
from bot.grammar import parse_line
from bot.services import handoffs as handoff_service
from bot.services import overflow, signoff
from bot.services.pacing import UNPACED
from bot.services.schedule import tick
from handlers.dispatch import answer
from handlers.notify import ChannelNotifier, one
from handlers.views.blocks import Reply
from handlers.views.matrix import error_reply
from storage.db import Database

CONSOLE_HELP = (
    ":as NAME — act as someone else · :press ACTION NUMBER [note] — press a handoff button "
    "(ack, take, wait, resume, back, resolve), or approve/decline a held overflow request "
    "(:press decline 3 REASON), or confirm a matrix change (:press confirm 2) · :at TIME — set the clock "
    "(2026-12-25 22:00, or 22:00 today, on the organisation's clock; or with an offset) and run what is due then · "
    ":tick — run what is due now · :quit"
)
# What `:press` accepts: the button labels and short names, for each handoff step.
BUTTONS = {
    "acknowledge": "acknowledge",
    "ack": "acknowledge",
    "take": "take",
    "take_it": "take",
    "wait": "wait",
    "waiting": "wait",
    "waiting_on_requester": "wait",
    "resume": "resume",
    "hand_back": "hand_back",
    "handback": "hand_back",
    "back": "hand_back",
    "resolve": "resolve",
}
# `:press approve 3` and `:press decline 3 REASON`: a held overflow request's buttons.
DECISIONS = ("approve", "decline")


class ConsoleClock:
    """The real time until `:at` (or `--at`) sets one; from then on it stands still there."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at

    def now(self) -> datetime:
        return (self.at or datetime.now(UTC)).astimezone(UTC)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("the console clock needs a time with its offset")
        self.at = at


def _number(text: str) -> bool:
    """A handoff number as typed (`12` or `#12`)."""
    return re.fullmatch(r"[0-9]{1,9}", text.lstrip("#")) is not None


def _folded(name: str) -> str:
    """Lower case without accents, so `@ciaran` finds Ciarán and `@zoe` Zoë."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))


class ConsoleSession:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        clock: ConsoleClock,
        user: str | None,
        out: TextIO,
        organisation: str | None = None,
    ) -> None:
        self.clock = clock
        self.out = out
        self.people: dict[str, str] = {}  # filled below; the conversation shows mentions by these names
        deps = build(settings, db, clock, ChannelNotifier(one(ConsoleConversation(out, self.people)))).deps
        self.deps = replace(deps, pacing=UNPACED)  # the console prints: no Slack limit to keep to
        self.channel: str | None = None
        self.timezone = "UTC"
        self.user = user or ""
        self._load_people(organisation)

    def _load_people(self, organisation: str | None) -> None:
        """The organisation the console speaks for: the one named, or the only one loaded."""
        with self.deps.units(read_only=True) as store:
            keys = store.organisation_keys()
            if not keys:
                return
            if organisation and organisation not in keys:
                raise TandemError(f"No organisation '{organisation}'. Loaded: {', '.join(keys)}.")
            if not organisation and len(keys) > 1:
                raise TandemError(
                    "Several organisations are loaded: choose one with "
                    + " or ".join(f"--org {key}" for key in keys)
                    + "."
                )
            matrix = self.deps.matrices.get(store, organisation or keys[0]).matrix
        self.people.update({p.slack: p.name for p in matrix.people.values()})
        self.channel = matrix.channel
        self.timezone = matrix.timezone
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
            found = [sid for sid, name in self.people.items() if _folded(name).startswith(_folded(word))]
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
            return self._act_as(arg)
        if word == "press":
            return self._press(arg)
        if word == "at" and arg:
            try:
                self.clock.set(self._instant(arg))
            except ValueError:
                return (
                    "(':at' needs a date and time, e.g. 2026-12-25 22:00 on the organisation's clock, "
                    "22:00 for today, or 2026-12-25T22:00+00:00 with an offset)\n"
                )
            self.out.write(f"(clock set to {self._local(self.clock.now())})\n")
            return self._tick()
        if word == "tick":
            return self._tick()
        return f"({CONSOLE_HELP})\n"

    def _act_as(self, name: str) -> str:
        """`:as Lena Ortiz`, `:as lena`, `:as ortiz` or `:as U0LENA001`; a Slack id not in the
        matrix is taken as given, to try Tandem as a stranger would."""
        name = name.strip().removeprefix("<@").removesuffix(">").lstrip("@").strip()
        wanted = _folded(name)
        found = [sid for sid, who in self.people.items() if _folded(who) == wanted or sid == name]
        found = found or [sid for sid, who in self.people.items() if _folded(who).startswith(wanted)]
        found = found or [
            sid for sid, who in self.people.items() if any(w.startswith(wanted) for w in _folded(who).split())
        ]
        if len(found) == 1:
            self.user = found[0]
        elif found:
            names = ", ".join(sorted(self.people[sid] for sid in found))
            return f"(':as {name}' could be {names}: type more of the name)\n"
        elif re.fullmatch(r"[UW][A-Z0-9]{2,}", name):
            self.user = name
        else:
            names = ", ".join(sorted(self.people.values()))
            return f"(nobody called '{name}' is in the matrix: try one of {names}, or a Slack id such as U0STRANGER)\n"
        return f"(now acting as {self.who()})\n"

    def _instant(self, text: str) -> datetime:
        """What `:at` names: an ISO time with its offset as given; without one, or a bare `HH:MM`
        for today, on the organisation's wall clock, as the people it serves would say it."""
        zone = ZoneInfo(self.timezone)
        if re.fullmatch(r"\d{1,2}:\d\d", text):
            today = self.clock.now().astimezone(zone).date()
            return datetime.combine(today, time.fromisoformat(text.zfill(5)), tzinfo=zone)
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return at if at.tzinfo else at.replace(tzinfo=zone)

    def _local(self, at: datetime) -> str:
        return f"{at.astimezone(ZoneInfo(self.timezone)):%a %d %b %H:%M %Z} ({self.timezone}), {at:%H:%M} UTC"

    def _tick(self) -> str:
        """What `tandem run` would post at the console's time: its posts print as they go."""
        self.out.flush()
        report = tick(self.deps)
        if not (report.posted or report.updated or report.failed):
            return "(tick: nothing was due)\n"
        updated = f", {report.updated} updated" if report.updated else ""
        failed = f", {report.failed} failed" if report.failed else ""
        return f"(tick: {report.posted} posted{updated}{failed})\n"

    def _press(self, arg: str) -> str:
        """A handoff's or a held overflow request's button, pressed from the terminal: the same
        step a click in Slack takes (a decline's reason follows the number)."""
        action, _, rest = arg.partition(" ")
        number, _, note = rest.strip().partition(" ")
        if _number(action) and not _number(number):  # `:press 1 ack` reads as well
            action, number = number, action
        step = BUTTONS.get(action.replace("-", "_").lower())
        if action.lower() == "confirm" and _number(number):
            return self._confirm(int(number.lstrip("#")))
        if (step is None and action.lower() not in DECISIONS) or not _number(number):
            return (
                "(write it as :press ACTION NUMBER [note], ACTION one of ack, take, wait, resume, back, resolve, "
                "approve, decline, confirm)\n"
            )
        try:
            if step is None:
                overflow.decision(self.deps, int(number.lstrip("#")), action.lower(), self.user, self.channel, note)
            else:
                handoff_service.step(self.deps, int(number.lstrip("#")), step, self.user, self.channel, note or None)
        except TandemError as error:
            return self.show(error_reply(error))
        return ""

    def _confirm(self, number: int) -> str:
        """Confirm on a change to who owns what, pressed from the terminal."""
        try:
            signoff.press(self.deps, number, self.user, self.channel)
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
