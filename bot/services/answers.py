"""Rendered answers to read-only commands, kept while everything they depend on is unchanged.

The key holds all of it: the command and its words, the organisation, the versions of the
data read (matrix, leave), the minute, and the asker where the answer depends on who asks.
When any of those moves on the key is new, so nothing is ever served stale and nothing
expires by time. `/owner backups` asked again within the minute skips resolution, duty and
Block Kit rendering.

An answer that changes at instants of its own, not at a minute (`/tandem sla`: a handoff
breaches, a clock's percent used moves on), is kept as `Held`, with the span of instants at
which it reads the same; outside that span it is made anew.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SIZE = 4096  # answers per process; the oldest goes first


@dataclass(frozen=True)
class Held:
    """An answer that reads the same at every instant from `since` until just before `until`
    (None: for as long as its key holds)."""

    answer: Any
    since: datetime
    until: datetime | None

    def at(self, now: datetime) -> Any:
        """The answer if it holds at `now`, else None."""
        return self.answer if self.since <= now and (self.until is None or now < self.until) else None


class AnswerCache:
    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._answers: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable | None, make: Callable[[], Any]) -> Any:
        """The answer under `key`, made by `make()` the first time; no key: always made."""
        if key is None:
            return make()
        found = self._answers.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._answers[key] = found
                while len(self._answers) > self.size:
                    del self._answers[next(iter(self._answers))]
        return found

    def put(self, key: Hashable, answer: Any) -> None:
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                del self._answers[next(iter(self._answers))]

    def peek(self, key: Hashable | None) -> Any:
        """The answer under `key` if one was made, else None: nothing is made here."""
        return None if key is None else self._answers.get(key)
