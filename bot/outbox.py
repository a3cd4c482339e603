"""Scheduled work as the scheduler sees it: a timer that fell due, and a claimed outbox item.

Every post Tandem makes on its own account goes through the outbox under a key naming its
occurrence, written in the same transaction as the change it announces and sent after that
commits: nothing is posted for a row that never committed, and nothing committed goes
unposted. The store hands these out and takes them back; they carry no rows and no SQL, so
the delivery logic is plain Python over plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.errors import TandemError, Where, Words


@dataclass(frozen=True)
class DueTimer:
    """A review's or an organisation's digest timer whose `next_at` has come."""

    id: int
    organisation: str
    kind: str  # "review" | "digest"
    subject: str  # the review key, or "digest"
    since: datetime  # when it was first scheduled: nothing due before then is posted


@dataclass(frozen=True)
class NewPost:
    """An occurrence to claim in the outbox: the scheduler claims a batch of them in one statement.

    `organisation` is "" for a post of the whole deployment (the weekly fleet digest), which
    names its workspace in `team` instead (None with one bot token)."""

    organisation: str
    key: str
    kind: str
    payload: dict[str, Any]
    team: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    """One occurrence claimed for posting, under a lease."""

    key: str
    organisation: str  # "" for a post of the whole deployment (the fleet digest)
    kind: str  # "sla" | "breach" | "review" | "digest" | "signoff" | "handoff" | "root" | "opened" | "said" | "notice" | "hours" | "approval" | "fleet"
    payload: dict[str, Any]
    attempts: int
    resend: bool  # an earlier delivery was leased and never finished: check before posting again
    team: str = ""  # the workspace it is posted in (the organisation's `team`, or the fleet's; "" when none)


def root_key(handoff_id: int) -> str:
    """A handoff's root message in the shared channel."""
    return f"handoff:{handoff_id}:root"


def opened_key(handoff_id: int) -> str:
    """The first reply in its thread: who was pinged, and why."""
    return f"handoff:{handoff_id}:opened"


def update_key(handoff_id: int, version: int) -> str:
    """The root message refreshed after the step that made `version` (rendered as it stands when sent)."""
    return f"handoff:{handoff_id}:v{version}:update"


def said_key(handoff_id: int, version: int) -> str:
    """The thread reply saying who took the step that made `version`."""
    return f"handoff:{handoff_id}:v{version}:said"


def hours_key(handoff_id: int, by: str, at: datetime) -> str:
    """The thread reply saying `by` logged hours on the handoff at `at` (one entry, one reply)."""
    return f"handoff:{handoff_id}:hours:{by}:{at.isoformat()}"


def approval_key(request_id: int) -> str:
    """A held overflow request's message with Approve and Decline in the shared channel."""
    return f"overflow:{request_id}:approval"


def breach_key(alert_key: str) -> str:
    """A breach's channel post: an occurrence of its own beside the alert in the thread, so a
    failure between the two neither repeats the first nor loses the second."""
    return f"{alert_key}:channel"


def backoff(attempts: int) -> timedelta:
    """How long a post waits after its `attempts`-th failed try: a minute, doubling, at most six
    hours. It is never given up on: a post that matters once matters after an outage too."""
    return min(timedelta(minutes=2 ** min(max(attempts, 1) - 1, 10)), MAX_BACKOFF)


MAX_BACKOFF = timedelta(hours=6)


class ChannelUnavailable(Exception):
    """Slack takes no posts from the bot in `channel` now: it is not a member (`not_in_channel`),
    the channel is gone or private to it (`channel_not_found`), or archived (`is_archived`). The
    post is held, not retried, until the bot joins."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel, self.reason = channel, reason
        super().__init__(f"{reason} in {channel}")


class NotInstalled(Exception):
    """Installed by OAuth, Tandem has no installation in the organisation's workspace: it was
    never installed there, or was uninstalled or had its token revoked. The post is held, not
    retried, until the workspace installs Tandem again. `workspace` is the matrix's `team:`
    (None when the matrix names none, and so no workspace to post in)."""

    def __init__(self, workspace: str | None) -> None:
        self.workspace = workspace
        super().__init__(f"Tandem is not installed in workspace {workspace}" if workspace else "no `team:`")


def held_for(workspace: str | None) -> str:
    """What a post waiting for `workspace`'s installation is held under (where a post waiting for
    a channel is held under the channel's id)."""
    return f"workspace:{workspace or '-'}"


class RateLimited(Exception):
    """Slack answered 429: it took nothing, and the workspace takes no posts for `retry_after`
    seconds. The outbox pauses that workspace (and only it) and puts the post back."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"rate limited: retry after {retry_after:g} s")


class RootBusy(Exception):
    """Another refresh of this root message is in flight: this one waits for a later tick, so
    the two cannot reach Slack out of order."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(f"another refresh holds the root message until {until.isoformat()}")


class Unposted(TandemError):
    """A change committed, but the post announcing it did not land yet: it waits in the outbox."""


def not_posted(problem: Exception) -> Words:
    """Why a post did not land, and what happens to it, as the end of a sentence."""
    if isinstance(problem, ChannelUnavailable):
        where = Where(problem.channel)
        if problem.reason == "not_in_channel":
            return ("I'm not in ", where, ": invite me with /invite @tandem and I will post it there as I join.")
        if problem.reason == "is_archived":
            return (where, " is archived: unarchive it and invite me, or name another `channel:` in the matrix.")
        return (
            "I cannot see ",
            where,
            " (deleted, or private without me): invite me to it, or name another `channel:` in the matrix.",
        )
    if isinstance(problem, NotInstalled):
        if problem.workspace is None:
            return ("the matrix names no workspace (`team:`) to post in: add it, then import the matrix again.",)
        return (
            f"Tandem is not installed in workspace {problem.workspace} any more: an admin there can install it"
            " again from Tandem's /slack/install page, and it will be posted then.",
        )
    return ("Slack did not take the message just now: I will keep trying, and it will appear when it does.",)
