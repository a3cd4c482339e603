"""Posting politely at scale: about one post a second per channel, none into a workspace Slack
asked to wait.

Slack takes about one `chat.postMessage` a second per channel (short bursts aside) and
answers an app posting faster with 429 and `Retry-After`. A tick posts what is due in due
order (oldest first) under these rules, so 200 clients' 08:30 digests neither trip the limit
nor starve one another:

* Per channel, a post goes a second after the one before it there. The wait is real time
  (a `Stopwatch`: the domain's "now" may stand still), inside the tick, and bounded: a tick
  waits at most `budget` seconds in all (less than the 30 s between ticks), then puts what
  is left back for the next tick. A post for another channel never waits behind a busy one:
  the first post whose channel is free goes next. With each client in its own channel,
  pacing costs nothing; with one channel shared by many, they queue at a post a second.
* A 429 pauses that workspace only: its not-before is stored (`Store.pause_workspace`), so
  no replica and no later tick claims its posts before then, and its posts already claimed
  are put back. Other workspaces keep posting.

Spacing is kept per process: two replicas ticking in the same second may each post once in a
channel, a burst Slack allows; should it answer 429, the pause is shared through the database.
Posts made in a person's request (`deliver_now`) are one or two at a time and not spaced; a
paused workspace answers them with 429 too, and they wait in the outbox like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import RealStopwatch, Stopwatch

SPACING = 1.0  # seconds between two posts in one channel (Slack's chat.postMessage limit)
BUDGET = 20.0  # seconds a tick may spend waiting for channels, below the 30 s between ticks


@dataclass(frozen=True)
class Pacing:
    """How the outbox paces: `spacing` 0 posts without waiting (the console prints; Slack is not there)."""

    spacing: float = SPACING
    budget: float = BUDGET
    stopwatch: Stopwatch = field(default_factory=RealStopwatch)


UNPACED = Pacing(spacing=0.0)


class Pacer:
    """One tick's pacing: when each channel last took a post, and the workspaces told to wait."""

    def __init__(self, pacing: Pacing) -> None:
        self.pacing = pacing
        self.started = pacing.stopwatch.elapsed()
        self.last: dict[str, float] = {}
        self.paused: dict[str, datetime] = {}  # workspace -> until

    def free_in(self, channel: str | None) -> float:
        """Seconds until `channel` may take a post (0: now); a post with no channel of its own waits for none."""
        if channel is None or channel not in self.last:
            return 0.0
        return max(0.0, self.last[channel] + self.pacing.spacing - self.pacing.stopwatch.elapsed())

    def posted(self, channel: str | None) -> None:
        if channel is not None and self.pacing.spacing:
            self.last[channel] = self.pacing.stopwatch.elapsed()

    def pause(self, team: str, until: datetime) -> None:
        self.paused[team] = max(until, self.paused.get(team, until))

    def paused_until(self, team: str, now: datetime) -> datetime | None:
        until = self.paused.get(team)
        return until if until is not None and until > now else None

    def wait(self, seconds: float) -> bool:
        """Wait `seconds` if the tick's budget allows it; False (not waiting) when it does not."""
        spent = self.pacing.stopwatch.elapsed() - self.started
        if spent + seconds > self.pacing.budget:
            return False
        self.pacing.stopwatch.wait(seconds)
        return True
