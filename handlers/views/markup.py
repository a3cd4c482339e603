"""Slack mrkdwn from the core's words, and text that is safe to put in a Slack message.

Whatever a user typed is escaped before it is echoed, so a summary can never ping
`@channel`, forge a `<@mention>` or a link; and every text is cut to its limit with "…"
rather than being refused by Slack. The core names people as `Who`; here they become
mentions, and every plain word is escaped, values from the matrix file included.

Instants become Slack date tokens, so the provider's engineer in another time zone reads
their own time; the token's fallback (what old clients and the console show) is the
organisation's wall clock with its zone named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import Where, Who, Word, Words
from bot.matrix.model import Matrix

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt);)")
_KEPT = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^<>]*)?>|<#([CG][A-Z0-9]{2,})(?:\|[^<>]*)?>")
ZERO_WIDTH = "\u200b"


def escape(text: str) -> str:
    """Neutralise Slack markup in user-supplied text (`&`, `<`, `>` and broadcast words).

    Slack sends typed text with `&`, `<` and `>` already written as `&amp;`, `&lt;`, `&gt;`;
    those entities are kept as they are, so "a < b" reads "a < b", not "a &lt; b"."""
    text = _BARE_AMPERSAND.sub("&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + ZERO_WIDTH + m.group(1), text)


def user_text(text: str) -> str:
    """What someone wrote (a summary, a note, evidence), escaped, but with the people and
    channels they mentioned kept as real mentions: "ask @ben to sort the dock" names Ben.

    Only the `<@U…>` and `<#C…>` forms Slack itself writes survive (their labels dropped);
    a broadcast (`<!channel>`), a link or anything else is shown as the text it was."""
    parts = _KEPT.split(text)
    # split() with two groups yields: text, user id or None, channel id or None, text, ...
    out = []
    for index in range(0, len(parts), 3):
        out.append(escape(parts[index]))
        if index + 2 < len(parts):
            user, channel = parts[index + 1], parts[index + 2]
            out.append(mention(user) if user else f"<#{channel}>")
    return "".join(out)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut; never splits an `&amp;` entity
    or a `<…>` token (a mention, a link, a date)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    opening = cut.rfind("<")
    if opening != -1 and ">" not in cut[opening:]:
        cut = cut[:opening]
    return cut + "…"


def mention(slack_id: str) -> str:
    return f"<@{slack_id}>"


def mentions(slack_ids: Iterable[str]) -> str:
    return ", ".join(mention(s) for s in slack_ids) or "nobody"


def word(part: Word) -> str:
    if isinstance(part, Who):
        return mention(part.slack)
    return f"<#{part.channel}>" if isinstance(part, Where) else escape(part)


def words(parts: Words) -> str:
    """The core's words as mrkdwn: people as mentions, everything else escaped."""
    return "".join(word(p) for p in parts)


def party(matrix: Matrix, ref: str) -> str:
    """A party ref as mrkdwn: a side or group by name, a person as a mention."""
    return word(matrix.describe_party(ref))


def parties(matrix: Matrix, refs: Iterable[str]) -> str:
    return ", ".join(party(matrix, r) for r in refs) or "—"


def _format(at: datetime, timezone: str, layout: str, now: datetime | None) -> str:
    """The local wall clock in `layout`, with the year when it is not the year of `now` there."""
    local = at.astimezone(ZoneInfo(timezone))
    if now is not None and local.year != now.astimezone(ZoneInfo(timezone)).year:
        layout = layout.replace("%b", "%b %Y")
    return local.strftime(layout)


def local_date(at: datetime, timezone: str, now: datetime | None = None) -> str:
    """The organisation's local date, e.g. "Tue 01 Dec": for plain text such as headers.

    Given `now`, a date in another year says so ("Fri 01 Jan 2027")."""
    return _format(at, timezone, "%a %d %b", now)


def local_time(at: datetime, timezone: str, now: datetime | None = None) -> str:
    """An instant as a Slack date token: each reader sees it in their own zone and clock format.

    The fallback names the organisation's zone ("Tue 01 Dec 11:00 GMT"), so a client that
    cannot render the token, or the console, still shows an unambiguous time; given `now`, one
    in another year shows it too (Slack's token shows the year of a date not in the current one)."""
    fallback = _format(at, timezone, "%a %d %b %H:%M %Z", now)
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"
