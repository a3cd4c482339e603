"""Typed errors a user can cause, each carrying the sentence that tells them what to do.

Surfaces (Slack, console, command line) catch `TandemError` in one place and show
`str(error)`; anything else is a bug and is logged, not shown.
"""

from __future__ import annotations

from dataclasses import dataclass


class TandemError(Exception):
    """A problem the user can fix; its message says how."""


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


class SettingsError(TandemError):
    """A required setting is missing or malformed."""


class UnknownOrganisation(TandemError):
    """No matrix is loaded for this channel or user."""
