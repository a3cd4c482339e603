"""Whether an overflow request falls inside the contract's scope of work.

The scope is matched with the areas' own matcher (`bot.ownership.resolve`): each scope
entry is a label, and the request's summary is the question. A summary carries words an
area question does not ("patch the meeting room PCs": a place, a count, a deadline), which
would dilute the area matcher's score; so an entry whose every word is in the summary is in
scope as well. "In the summary" is stricter there than the area matcher's closeness, since
the scope bounds what the provider may bill without sign-off: the word itself, a form of it
("patch" for "patching", "image" for "imaging"), or a slip of one letter ("pacthing"), never
merely a similar word ("paint" is not "patching").
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz.distance import OSA

from bot.matrix.model import Area
from bot.matrix.names import content_words, words
from bot.ownership.resolve import AreaIndex

STEM = 4  # letters a shorter form must keep for "patch" to be a form of "patching"


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
        said += [a + b for a, b in pairwise(said)]  # "set up" says "setup"
        for entry, wanted in self._words:
            if said and all(any(_same_word(w, s) for s in said) for w in wanted):
                return ScopeMatch(entry)
        closest = self._entries[resolution.matches[0].area.key] if resolution.matches else None
        return ScopeMatch(None, closest)


def _same_word(wanted: str, said: str) -> bool:
    """`said` is `wanted`, a form of it (one starts with the other's stem: itself, less a final
    "e", of at least `STEM` letters), or `wanted` with one letter wrong, missing, extra or two
    swapped (words of five letters or more)."""
    if wanted == said:
        return True
    short, long = sorted((wanted, said), key=len)
    stem = short[:-1] if short.endswith("e") else short
    if len(stem) >= STEM and long.startswith(stem):
        return True
    return min(len(wanted), len(said)) >= 5 and OSA.distance(wanted, said) <= 1
