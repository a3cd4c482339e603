"""Find the area a person means, from whatever they typed.

People ask "who owns the label printer jam?", "bakups", "updates windows". Resolution
tries, in order: an exact key, name or alias (case, punctuation and plurals folded, and
spaces too, so "office365" is "office 365" and "wi fi" is "wifi"); an exact label inside
the sentence (longest wins); then a fuzzy match. The fuzzy step first
narrows the field with a word index (typo-tolerant per word) so that a matrix of ten
thousand areas still answers in a millisecond or two, then scores the few candidates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import islice
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from bot.matrix.model import Area
from bot.matrix.names import content_words, normalize, words

FOUND_SCORE = 85  # a fuzzy match at least this good is taken as the answer
SUGGEST_SCORE = 72  # below this a candidate is not worth suggesting ("coffee machine" is not "virtual machines")
TIE_MARGIN = 4  # two areas scoring this close are ambiguous
WORD_SCORE = 75  # a typed word this close to a known word counts as that word
CANDIDATES = 40
POOL = 300  # labels a query's rare words may nominate before scoring


@dataclass(frozen=True)
class Match:
    area: Area
    score: float
    label: str  # the key, name or alias that matched


@dataclass(frozen=True)
class Resolution:
    query: str
    status: Literal["found", "ambiguous", "unknown"]
    matches: tuple[Match, ...]  # found: one; ambiguous: the contenders; unknown: closest suggestions

    @property
    def area(self) -> Area | None:
        return self.matches[0].area if self.status == "found" else None


class AreaIndex:
    """An index over every label of every area, built once per matrix version."""

    def __init__(self, areas: tuple[Area, ...]) -> None:
        self.areas = {a.key: a for a in areas}
        self.exact: dict[str, tuple[str, str]] = {}  # normalized label -> (area key, label)
        self.compact: dict[str, tuple[str, str]] = {}  # the same without spaces: "office 365" -> "office365"
        self.labels: list[tuple[str, str, str]] = []  # (normalized label, area key, label)
        self.postings: dict[str, list[int]] = defaultdict(list)  # word -> label indexes
        for area in areas:
            for label in (area.key.replace("-", " "), area.name, *area.aliases):
                norm = normalize(label)
                if not norm:
                    continue
                self.exact.setdefault(norm, (area.key, label))
                self.compact.setdefault(norm.replace(" ", ""), (area.key, label))
                index = len(self.labels)
                self.labels.append((norm, area.key, label))
                for word in set(norm.split()):
                    self.postings[word].append(index)
        self.vocabulary = list(self.postings)
        self.longest_label = max((len(n.split()) for n, _, _ in self.labels), default=0)

    def labelled(self, text: str) -> Area | None:
        """The area whose key, name or alias `text` is (case, punctuation and plurals aside), if any."""
        hit = self._exactly(normalize(text))
        return self.areas[hit[0]] if hit else None

    def _exactly(self, norm: str) -> tuple[str, str] | None:
        return self.exact.get(norm) or self.compact.get(norm.replace(" ", ""))

    def resolve(self, query: str) -> Resolution:
        norm = normalize(query)
        if (hit := self._exactly(norm)) is not None:
            return self._found(query, hit, 100.0)
        found = self._label_in_sentence(query)
        if found:
            return found
        return self._fuzzy(query)

    def _found(self, query: str, hit: tuple[str, str], score: float) -> Resolution:
        key, label = hit
        return Resolution(query, "found", (Match(self.areas[key], score, label),))

    def _label_in_sentence(self, query: str) -> Resolution | None:
        """The longest run of the question's words that is exactly some label."""
        tokens = words(query)
        for size in range(min(len(tokens), self.longest_label), 0, -1):
            hits: dict[str, tuple[str, str]] = {}
            for start in range(len(tokens) - size + 1):
                gram = " ".join(tokens[start : start + size])
                if (hit := self._exactly(gram)) is not None:
                    hits.setdefault(hit[0], hit)
            if len(hits) == 1:
                return self._found(query, next(iter(hits.values())), 100.0)
            if len(hits) > 1:
                matches = tuple(Match(self.areas[k], 100.0, label) for k, label in hits.values())
                return Resolution(query, "ambiguous", matches)
        return None

    def _candidates(self, query_words: list[str]) -> list[int]:
        """The labels worth scoring: those sharing the most (typo-tolerant) words with the query.

        Only the query's rarer words pick the pool (set operations run in C); a word found in
        thousands of labels would otherwise cost more than all the scoring that follows.
        """
        hits: list[set[int]] = []
        for word in query_words:
            close = (
                [word]
                if word in self.postings
                else [
                    w
                    for w, _, _ in process.extract(
                        word, self.vocabulary, scorer=fuzz.ratio, limit=3, score_cutoff=WORD_SCORE
                    )
                ]
            )
            if close:
                hits.append(set().union(*(self.postings[w] for w in close)))
        if not hits:
            return []
        rare = [members for members in hits if len(members) <= POOL]
        pool = set().union(*rare) if rare else (set.intersection(*hits) or min(hits, key=len))
        if len(pool) > POOL:
            pool = set(islice(pool, POOL))
        return sorted(pool, key=lambda i: (-sum(i in members for members in hits), i))[:CANDIDATES]

    def _fuzzy(self, query: str) -> Resolution:
        query_words = content_words(query) or words(query)
        if not query_words:
            return Resolution(query, "unknown", ())
        best: dict[str, Match] = {}
        for index in self._candidates(query_words):
            norm, key, label = self.labels[index]
            score = label_score(query_words, norm.split())
            if score >= SUGGEST_SCORE and (key not in best or score > best[key].score):
                best[key] = Match(self.areas[key], round(score, 1), label)
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.area.key))
        if not ranked or ranked[0].score < FOUND_SCORE:
            return Resolution(query, "unknown", tuple(ranked[:3]))
        contenders = tuple(m for m in ranked if m.score >= ranked[0].score - TIE_MARGIN)
        if len(contenders) > 1:
            return Resolution(query, "ambiguous", contenders[:5])
        return Resolution(query, "found", (ranked[0],))


def word_similarity(a: str, b: str) -> float:
    """0–100; Jaro-Winkler forgives the swapped letters of fast typing ("bakcups") in longer words."""
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 5:
        score = max(score, JaroWinkler.similarity(a, b) * 100 - 5)
    return score


def _coverage(these: list[str], those: list[str]) -> tuple[float, float]:
    """How well `these` words are matched by `those` (length-weighted), and the share matched."""
    best = [max(word_similarity(w, o) for o in those) for w in these]
    total = sum(len(w) for w in these)
    score = sum(b * len(w) for b, w in zip(best, these, strict=False)) / total
    matched = sum(len(w) for b, w in zip(best, these, strict=False) if b >= WORD_SCORE) / total
    return score, matched


def label_score(query: list[str], label: list[str]) -> float:
    """Word-aligned similarity, whichever way round fits best.

    A label fully present in the question ("label printer" in "label printer jam") and a
    question fully present in a label ("security" in "endpoint security") both score high;
    a single shared word among unrelated ones ("machine") does not.
    """
    label_fit, label_share = _coverage(label, query)
    query_fit, query_share = _coverage(query, label)
    return max(label_fit * (0.75 + 0.25 * query_share), query_fit * (0.75 + 0.25 * label_share))
