"""Whether an overflow request falls inside the contract's scope of work.

The scope is matched with the areas' own matcher (`bot.ownership.resolve`): each scope
entry is a label, and the request's summary is the question. A summary carries words an
area question does not ("patch the meeting room PCs": a place, a count, a deadline), which
would dilute the area matcher's score; so an entry whose every word is in the summary (each
as close as the matcher takes a typed word to be) is in scope as well.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matrix.model import Area
from bot.matrix.names import content_words, words
from bot.ownership.resolve import WORD_SCORE, AreaIndex, word_similarity


@dataclass(frozen=True)
class ScopeMatch:
    entry: str | None  # the scope entry the request matched; None: out of scope
    closest: str | None = None  # out of scope: the nearest entry, if any came close

    @property
    def in_scope(self) -> bool:
        return self.entry is not None


class ScopeIndex:
    """The contract's scope, indexed once per matrix version; no scope means no limit."""

    def __init__(self, scope: tuple[str, ...]) -> None:
        self.scope = scope
        self._index = AreaIndex(tuple(Area(key=f"scope-{n}", name=entry) for n, entry in enumerate(scope)))
        self._entries = {f"scope-{n}": entry for n, entry in enumerate(scope)}
        self._words = [(entry, content_words(entry) or words(entry)) for entry in scope]

    def match(self, summary: str) -> ScopeMatch:
        """The scope entry `summary` asks for, if any."""
        if not self.scope:
            return ScopeMatch("(no limit on scope)")
        resolution = self._index.resolve(summary)
        if resolution.status != "unknown":
            return ScopeMatch(self._entries[resolution.matches[0].area.key])
        said = words(summary)
        for entry, wanted in self._words:
            if said and all(max(word_similarity(w, s) for s in said) >= WORD_SCORE for w in wanted):
                return ScopeMatch(entry)
        closest = self._entries[resolution.matches[0].area.key] if resolution.matches else None
        return ScopeMatch(None, closest)
