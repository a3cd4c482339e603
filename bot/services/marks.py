"""Sent marks written in groups: a tick posting a thousand alerts records where they landed in
a few transactions, not one per post.

A post's sent mark (where it landed) and a root message refresh's (the version it shows,
and the root let go) wait in `SentMarks` and are written together: one transaction for up to
`GROUP` of them or `GROUP_SECONDS` of posting, before the tick waits for a channel, at the
end of every claimed batch, with the next mark that cannot wait, and before another refresh
of a root whose mark waits.

A process that dies before writing them leaves those posts `sending` under their lease, as
one that dies between a post and its mark does: once the lease runs out, the next tick looks
each post up in Slack by its key (`already_posted`) and records where it landed, so none is
posted twice and none is lost; a refresh is made again (an update, not a post). Grouped are
only posts looked for by key on resend and whose mark nothing reads meanwhile: not a root
message (its ts places the handoff, and its first reply follows), an approval or sign-off
message (what a click updates is read from the mark), or a notice (made again, not looked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.digests.fleet import KIND as FLEET
from bot.outbox import OutboxItem
from bot.ports import Store, UnitOfWork
from bot.services.pacing import Pacing

GROUPED = frozenset({"sla", "breach", "review", "digest", "opened", "said", "hours", FLEET})
GROUP = 50  # marks written in one transaction at most
GROUP_SECONDS = 2.0  # how long a mark waits for the rest of its group at most, far below the lease


@dataclass(frozen=True)
class Shown:
    """A root message refresh sent: `version` of handoff `handoff` is what the root shows now."""

    item: OutboxItem
    handoff: int
    version: int
    where: tuple[str | None, str | None]


class SentMarks:
    """One claimed batch's marks not written yet."""

    def __init__(self, units: UnitOfWork, pacing: Pacing, now: datetime) -> None:
        self.units, self.stopwatch, self.now = units, pacing.stopwatch, now
        self.posts: list[tuple[str, str | None, str | None]] = []
        self.roots: dict[int, Shown] = {}
        self.since = 0.0
        self.again: list[str] = []  # refreshes to send once more: a newer version committed meanwhile

    def add(self, key: str, channel: str | None, ts: str | None) -> None:
        """A post landed at (channel, ts) (or became moot: None, None)."""
        self._started()
        self.posts.append((key, channel, ts))
        self._full()

    def shown(self, refresh: Shown) -> None:
        """A refresh was sent; its root stays held until this is written."""
        self._started()
        self.roots[refresh.handoff] = refresh
        self._full()

    def holds(self, handoff: int) -> bool:
        """Whether a refresh of this handoff's root waits here (the root is held until it is written)."""
        return handoff in self.roots

    def write(self, store: Store) -> None:
        """Write what waits in `store`'s transaction. A refresh whose handoff moved on while it
        was sent lets the root go showing the version it sent and is put back, due now, to
        send the newer one (its key in `again`)."""
        for refresh in self.roots.values():
            if store.show_root(refresh.handoff, refresh.version, current_only=True):
                self.posts.append((refresh.item.key, *refresh.where))
            else:
                store.show_root(refresh.handoff, refresh.version)
                store.put_back(refresh.item.key, self.now, "its handoff moved on while it was shown")
                self.again.append(refresh.item.key)
        store.mark_all_sent(self.posts, self.now)
        self.posts, self.roots = [], {}

    def flush(self) -> None:
        if self.posts or self.roots:
            with self.units() as store:
                self.write(store)

    def take_again(self) -> list[str]:
        keys, self.again = self.again, []
        return keys

    def _started(self) -> None:
        if not self.posts and not self.roots:
            self.since = self.stopwatch.elapsed()

    def _full(self) -> None:
        if len(self.posts) + len(self.roots) >= GROUP or self.stopwatch.elapsed() - self.since >= GROUP_SECONDS:
            self.flush()
