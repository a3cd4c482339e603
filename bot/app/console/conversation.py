"""`Conversation` for the console: channel posts are printed as the channel would show them."""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.app.console.render import mrkdwn, render_blocks


class ConsoleConversation:
    def __init__(self, out: TextIO, names: dict[str, str]) -> None:
        self.out = out
        self.names = names
        self._ts = itertools.count(1)

    def post(
        self, channel: str, text: str, blocks: list[dict], thread_ts: str | None = None, metadata: dict | None = None
    ) -> str:
        ts = f"{next(self._ts)}.000000"
        where = f"#{channel} thread {thread_ts}" if thread_ts else f"#{channel} message {ts}"
        self.out.write(f"[{where}]\n{render_blocks(blocks, self.names) if blocks else mrkdwn(text, self.names)}\n")
        return ts

    def update(self, channel: str, ts: str, text: str, blocks: list[dict]) -> None:
        self.out.write(
            f"[#{channel} message {ts} updated]\n{render_blocks(blocks, self.names) if blocks else mrkdwn(text, self.names)}\n"
        )

    def upload(self, channel: str, filename: str, content: str, comment: str) -> None:
        lines = content.count("\n")
        self.out.write(f"[#{channel} file {filename}, {lines} lines]\n{mrkdwn(comment, self.names)}\n")

    def find_posted(self, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        return None  # the console keeps no history: nothing survives a restart to find
