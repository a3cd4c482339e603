"""The matrix both sides sign: which import changes need confirming, and each area's state.

An import that changes who owns what (an area added, or its responsible, accountable,
consulted, informed, after-hours, escalation or lead changed) is a change set that one
admin of each side confirms. `/tandem confirm` opens a change set of every area as it
stands, for the periodic re-confirmation (and for a matrix's first import). An area was
last confirmed by the newest change set that includes it and both sides confirmed; a
change set still waiting for a side makes its areas unconfirmed, and after three working
days that is a gap; an area nobody confirmed within the contract's `review` (default
90 days) is stale.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.calendar import BusinessCalendar
from bot.contract.model import DEFAULT_REVIEW
from bot.errors import TandemError, Who, listing
from bot.matrix.audit import Gap
from bot.matrix.model import Area, Matrix

OWNERSHIP = ("responsible", "accountable", "consulted", "informed", "after_hours", "escalation", "lead")
OVERDUE_WORKING_DAYS = 3  # an unconfirmed change older than this is a gap
EVERY_AREA = "every area as it stands"  # the line of a re-confirmation


class Refused(TandemError):
    """A confirmation this person may not give, or one already given; nothing changed."""


@dataclass(frozen=True)
class Confirmation:
    by: str  # Slack id of an admin of the side
    at: datetime


@dataclass(frozen=True)
class ChangeSet:
    """Areas whose ownership an import changed (or a re-confirmation of all of them)."""

    id: int | None
    organisation: str
    at: datetime
    actor: str  # who imported (or asked for the re-confirmation)
    areas: tuple[str, ...]  # area keys
    lines: tuple[str, ...]  # what changed, as the audit log says it
    internal: Confirmation | None = None
    provider: Confirmation | None = None

    @property
    def number(self) -> int:
        if self.id is None:
            raise ValueError("this change set is not stored yet, so it has no number")
        return self.id

    def side(self, key: str) -> Confirmation | None:
        return self.internal if key == "internal" else self.provider

    @property
    def confirmed_at(self) -> datetime | None:
        """When the second side confirmed; None while a side has not."""
        if self.internal is None or self.provider is None:
            return None
        return max(self.internal.at, self.provider.at)

    @property
    def is_review(self) -> bool:
        return self.lines == (EVERY_AREA,)


def _owners(area: Area) -> tuple:
    return tuple(getattr(area, field) for field in OWNERSHIP)


def ownership_changed(old: Matrix | None, new: Matrix) -> tuple[str, ...]:
    """The keys of the areas whose owners `new` changes: every area of a first import."""
    if old is None:
        return tuple(a.key for a in new.areas)
    before = old.areas_by_key
    return tuple(a.key for a in new.areas if a.key not in before or _owners(before[a.key]) != _owners(a))


def confirm(change: ChangeSet, actor: str, now: datetime, matrix: Matrix) -> ChangeSet:
    """The change set confirmed for `actor`'s side, or `Refused` saying why not."""
    person = matrix.people.get(actor)
    if person is None or not person.admin:
        raise Refused(
            "Only an admin of each side confirms the matrix (",
            *listing((p.slack for p in matrix.admins()), empty="nobody is an admin"),
            "). Your click changed nothing.",
        )
    done = change.side(person.side)
    if done is not None:
        side = matrix.side(person.side)
        raise Refused(
            Who(done.by),
            f" already confirmed this for {side.name if side else person.side}. Your click changed nothing.",
        )
    mark = Confirmation(actor, now)
    return replace(change, internal=mark) if person.side == "internal" else replace(change, provider=mark)


@dataclass(frozen=True)
class AreaSignoff:
    """One area's sign-off: its last confirmation by both sides, what waits, and whether it is stale."""

    area: str
    confirmed: ChangeSet | None  # the newest change set both sides confirmed that includes it
    waiting: ChangeSet | None  # the oldest newer change set a side has not confirmed yet
    stale: bool  # not confirmed by both sides within the review interval

    @property
    def confirmed_at(self) -> datetime | None:
        return self.confirmed.confirmed_at if self.confirmed else None

    @property
    def confirmed_by(self) -> tuple[str, str] | None:
        """(internal admin, provider admin) who confirmed it last."""
        change = self.confirmed
        if change is None or change.internal is None or change.provider is None:
            return None
        return change.internal.by, change.provider.by


def review_interval(matrix: Matrix) -> timedelta:
    review = matrix.contract.review if matrix.contract else DEFAULT_REVIEW
    return timedelta(days=review.amount)


def area_signoffs(matrix: Matrix, changes: list[ChangeSet], now: datetime) -> dict[str, AreaSignoff]:
    """Every area's sign-off, from the organisation's change sets (any order)."""
    ordered = sorted(changes, key=lambda c: (c.at, c.id or 0))
    interval = review_interval(matrix)
    return {area.key: _signoff(area.key, ordered, interval, now) for area in matrix.areas}


def area_signoff(matrix: Matrix, changes: list[ChangeSet], key: str, now: datetime) -> AreaSignoff:
    """One area's sign-off (`/owner` shows one), without working out every other area's."""
    return _signoff(key, sorted(changes, key=lambda c: (c.at, c.id or 0)), review_interval(matrix), now)


def _signoff(key: str, ordered: list[ChangeSet], interval: timedelta, now: datetime) -> AreaSignoff:
    mine = [c for c in ordered if key in c.areas]
    done = [c for c in mine if c.confirmed_at is not None]
    last = max(done, key=lambda c: (c.confirmed_at, c.at)) if done else None
    waiting = next((c for c in mine if c.confirmed_at is None and (last is None or c.at > last.at)), None)
    since = last.confirmed_at if last else (mine[0].at if mine else None)
    stale = since is None or now - since > interval
    return AreaSignoff(key, last, waiting, stale)


def overdue(change: ChangeSet, calendar: BusinessCalendar, now: datetime) -> bool:
    """Unconfirmed for more than three working days of the organisation's calendar."""
    if change.confirmed_at is not None:
        return False
    return calendar.elapsed(change.at, now) > calendar.day_length * OVERDUE_WORKING_DAYS


def signoff_gaps(
    matrix: Matrix, signoffs: dict[str, AreaSignoff], calendar: BusinessCalendar, now: datetime
) -> list[Gap]:
    """Changes both sides have not confirmed after three working days, and stale areas: one gap
    per waiting change and one per kind of staleness, so a first import of 60 areas is one line
    of the digest, not 60."""
    waiting: dict[tuple[int | None, datetime], tuple[ChangeSet, list[str]]] = {}
    stale: dict[bool, list[str]] = {}
    for key, state in signoffs.items():
        if state.waiting is not None and overdue(state.waiting, calendar, now):
            waiting.setdefault((state.waiting.id, state.waiting.at), (state.waiting, []))[1].append(key)
        elif state.stale and state.waiting is None:
            stale.setdefault(state.confirmed is not None, []).append(key)
    gaps = []
    for change, keys in waiting.values():
        missing = " and ".join(side.name for side in matrix.sides if change.side(side.key) is None)
        subject = (
            areas_subject(keys) if change.id is None else f"matrix change #{change.number} ({areas_subject(keys)})"
        )
        gaps.append(
            Gap(
                subject,
                f"a change to who owns {'it' if len(keys) == 1 else 'them'} is unconfirmed for over "
                f"{OVERDUE_WORKING_DAYS} working days (waiting for {missing})",
                "an admin of each side presses Confirm on the change in the shared channel, or runs /tandem confirm",
            )
        )
    interval = review_interval(matrix).days
    for confirmed, keys in stale.items():
        verb = "is" if len(keys) == 1 else "are"
        gaps.append(
            Gap(
                areas_subject(keys),
                f"{verb} stale: not confirmed by both sides in the last {interval} days"
                if confirmed
                else f"{verb} stale: never confirmed by both sides",
                "an admin of each side runs /tandem confirm to re-confirm the matrix",
            )
        )
    return gaps


SUBJECT_AREAS = 5  # areas named in one gap's subject; the rest are counted


def areas_subject(keys: list[str]) -> str:
    """`area backups`, or `areas pims, xray and phones`, or `areas a, b, c, d, e and 55 more`."""
    if len(keys) == 1:
        return f"area {keys[0]}"
    shown, rest = keys[:SUBJECT_AREAS], len(keys) - SUBJECT_AREAS
    if rest > 0:
        return f"areas {', '.join(shown)} and {rest} more"
    return f"areas {', '.join(shown[:-1])} and {shown[-1]}"
