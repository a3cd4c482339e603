"""The Slack Web API stand-in (`python -m tests.support.slack_standin`) in a process of its own,
and a `Runtime` that posts to it through the real notifier, timing every post.

In-process, the stand-in's HTTP handling would share the GIL with the code being timed and
inflate its numbers; in its own process it costs the measured code only the socket round trip,
and timing each post lets a benchmark subtract even that. What it received is read back over
HTTP (`/_standin/calls`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request

from bench.common import ROOT


class StandInProcess:
    """Started on construction; `base_url` is its Web API URL, `stop()` ends it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.slack_standin"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        if not line.startswith("SLACK_API_URL="):
            self.stop()
            raise RuntimeError(f"the Slack stand-in did not start: {line!r} {self.proc.stderr.read()[:500]}")
        self.base_url = line.split("=", 1)[1]
        self.root_url = self.base_url.rstrip("/").rsplit("/api", 1)[0]

    def calls(self, method: str = "chat.postMessage") -> list[dict]:
        """Every call of `method` it has received so far, oldest first, as `Call.to_dict()` gives them."""
        with urllib.request.urlopen(f"{self.root_url}/_standin/calls?method={method}", timeout=60) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def occurrence(call: dict) -> str | None:
    """The occurrence key a post carries in its message metadata: what "each post exactly once" counts."""
    metadata = call["body"].get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return ((metadata or {}).get("event_payload") or {}).get("occurrence")


def runtime_posting_to(standin: StandInProcess, url: str, db, clock):
    """The bot in-process, its notifier the real `ChannelNotifier(SlackConversation(…))` posting to the
    stand-in; returns it with the list each post's seconds are appended to (the caller clears it).

    It posts unpaced: the stand-in has no rate limit, and Slack's post a second per channel is
    Slack's time, which a benchmark "excluding Slack" leaves out (the pacing has tests of its own)."""
    from bot.app.container import build
    from bot.app.settings import Settings
    from bot.app.slack import create_client
    from handlers.conversation import SlackConversation
    from handlers.notify import ChannelNotifier, one
    from tests.support.in_process import InProcess

    settings = Settings(database_url=url, bot_token="xoxb-bench", api_url=standin.base_url, post_spacing=0.0)
    conversation = SlackConversation(create_client(settings, db=db))
    slack: list[float] = []
    post = conversation.post

    def timed_post(*a, **k):
        begin = time.perf_counter()
        try:
            return post(*a, **k)
        finally:
            slack.append(time.perf_counter() - begin)

    conversation.post = timed_post  # type: ignore[method-assign]
    return InProcess(build(settings, db, clock, ChannelNotifier(one(conversation)))), slack
