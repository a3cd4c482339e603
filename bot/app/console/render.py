"""Block Kit as readable terminal text, with mentions shown as names.

The console shows the same blocks Slack would get, so what you try here is what the
channel will see. A Slack date token shows its fallback: the organisation's wall clock
with its zone named, as a client that cannot localise it would show it.
"""

from __future__ import annotations

import html
import re

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")


def mrkdwn(text: str, names: dict[str, str]) -> str:
    text = _DATE.sub(r"\1", text)
    text = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _CHANNEL.sub(lambda m: "#" + m.group(1), text)
    text = _ITALIC.sub(r"\1", _BOLD.sub(r"\1", text))
    return html.unescape(text)


def _plain(obj: dict | None) -> str:
    return (obj or {}).get("text", "")


def render_blocks(blocks: list[dict], names: dict[str, str]) -> str:
    out: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = mrkdwn(_plain(block.get("text")), names)
            out += [title, "=" * min(len(title), 60)]
        elif kind == "section":
            if block.get("text"):
                out.append(mrkdwn(_plain(block["text"]), names))
            for f in block.get("fields", []):
                label, _, value = mrkdwn(f["text"], names).partition("\n")
                out.append(f"  {label}: {value}" if value else f"  {label}")
        elif kind == "context":
            out.append("  · " + "  ".join(mrkdwn(e.get("text", ""), names) for e in block.get("elements", [])))
        elif kind == "actions":
            out.append("  " + " ".join(f"[{_plain(e.get('text'))}]" for e in block.get("elements", [])))
        elif kind == "divider":
            out.append("-" * 40)
        elif kind == "input":
            out.append(f"  {_plain(block.get('label'))}: ____")
    return "\n".join(out)
