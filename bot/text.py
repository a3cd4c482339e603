"""Text from people, made safe to keep: no NUL or other control characters, and bounded.

PostgreSQL refuses a NUL byte in any text or JSON value, and nothing a person means to say
needs one; a summary or a note longer than any Slack field could show only costs storage.
Every surface (Slack, the console) cleans what it reads with `clean` before the core sees it.
"""

from __future__ import annotations

import re

# C0 controls (but tab and newline), DEL, and the C1 block; carriage returns become newlines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
TEXT_LIMIT = 4000  # Slack's own limit on a slash command's text


def clean(text: str, limit: int = TEXT_LIMIT) -> str:
    """`text` without control characters, at most `limit` characters (cut, never refused)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text[:limit]
