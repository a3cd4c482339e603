"""How people write area names, reduced to one comparable form.

"Password resets", "password-reset" and "PASSWORD RESET?" must all find the same area, and
the loader must refuse two aliases that would collide under that same rule.
"""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")
# Words that carry no meaning in "who owns the backups?" style questions.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "is",
        "are",
        "our",
        "my",
        "who",
        "whos",
        "owns",
        "own",
        "owner",
        "what",
        "which",
        "does",
        "do",
        "with",
        "about",
        "at",
        "please",
        "pls",
        "can",
        "you",
        "handle",
        "handles",
        "handling",
        "look",
        "after",
        "after-hours",
        "looks",
        "responsible",
    ]
)


def singular(word: str) -> str:
    """A crude plural fold that is right for the nouns of IT work (patches, backups, laptops)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [singular(w) for w in _NON_WORD.split(text.lower()) if w]


def normalize(text: str) -> str:
    """Lower case, punctuation and plurals folded: "Password-Resets!" -> "password reset"."""
    return " ".join(words(text))


def content_words(text: str) -> list[str]:
    """The words of a question that can name an area."""
    return [w for w in words(text) if w not in STOPWORDS]
