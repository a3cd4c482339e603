"""Typed errors a user can cause, each carrying the sentence that tells them what to do.

A sentence is a tuple of words: plain text, `Who` wherever a person is named and `Where`
wherever a channel is. The core
never writes Slack markup; the views render `Who` as a mention, the console as a name, an
export as an id, and escape the plain text, so a value a user typed can never become markup.

Surfaces (Slack, console, command line) catch `TandemError` in one place and show it;
anything else is a bug and is logged, not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Who:
    """A person named in a sentence, by Slack member id."""

    slack: str


@dataclass(frozen=True)
class Where:
    """A Slack channel named in a sentence, by id: Slack shows its name to each reader."""

    channel: str


Word = str | Who | Where
Words = tuple[Word, ...]


def listing(people: Iterable[str], empty: str = "nobody", sep: str = ", ") -> Words:
    """Slack ids as words separated by `sep`, or `empty` when there are none."""
    out: list[Word] = []
    for slack_id in people:
        if out:
            out.append(sep)
        out.append(Who(slack_id))
    return tuple(out) or (empty,)


def plain(words: Words) -> str:
    """The words as plain text, people by id (`@U0ALICE01`): for the command line and logs."""
    return "".join(
        f"@{w.slack}" if isinstance(w, Who) else f"#{w.channel}" if isinstance(w, Where) else w for w in words
    )


class TandemError(Exception):
    """A problem the user can fix; its words say how."""

    def __init__(self, *words: Word) -> None:
        self.words: Words = tuple(words)
        super().__init__(plain(self.words))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a matrix file."""

    source: str
    line: int | None
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        field = f" {self.field}" if self.field else ""
        value = f" = {self.value!r}" if self.value else ""
        return f"{where}:{field}{value}: {self.message}"


class MatrixError(TandemError):
    """The matrix file is invalid; nothing was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"The matrix was not loaded: {count} problem{'s' if count != 1 else ''}.\n{lines}")


class Unwritable(TandemError):
    """The database takes no writes just now (a read-only or full disk, a read-only server):
    nothing was saved. Its words are for the person who asked; `detail` says to the admin,
    in the log, which database and what to do. It passes once the database is writable."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(
            "Tandem's database cannot be written just now (a read-only or full disk), so nothing was saved. "
            "Try again in a few minutes, and tell your Tandem admin if it keeps happening."
        )


class SettingsError(TandemError):
    """A required setting is missing or malformed."""


class UnknownOrganisation(TandemError):
    """No matrix is loaded for this channel or user."""
