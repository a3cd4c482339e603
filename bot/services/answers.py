"""Rendered answers to read-only commands, kept while everything they depend on is unchanged.

The key holds all of it: the command and its words, the organisation, the versions of the
data read (matrix, leave), the minute, and the asker where the answer depends on who asks.
When any of those moves on the key is new, so nothing is ever served stale and nothing
expires by time. `/owner backups` asked again within the minute skips resolution, duty and
Block Kit rendering.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

SIZE = 4096  # answers per process; the oldest goes first


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

    def peek(self, key: Hashable | None) -> Any:
        """The answer under `key` if one was made, else None: nothing is made here."""
        return None if key is None else self._answers.get(key)
