"""The responsibility matrix of one organisation, as plain immutable values.

This is the contract in code: who is on each side, what each area's RACI says, which SLA
applies, which reviews recur. It is built by the loader from a file or by storage from the
database, and read by everything else; nothing here touches Slack or a database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property

from bot.calendar import DAY_NAMES, BusinessCalendar
from bot.contract.model import Contract
from bot.errors import Who
from bot.matrix.durations import Duration

SIDES = ("internal", "provider")
SHARED = "shared"
ROTA = "rota:"  # a party ref `rota:KEY`: whoever's turn it is on that rota
PRIORITIES = ("P1", "P2", "P3", "P4")
# What the daily digest does on a morning with nothing to report: post "all clear", or skip.
DIGEST_QUIET = ("post", "skip")
CLOCK_BUSINESS = "business"
CLOCK_24X7 = "24x7"
# The mark of the placeholder people `tandem matrix init` writes (U0CHANGEME1, U0CHANGEME2).
PLACEHOLDER = "CHANGEME"
# An area's RACI cells and duty roles that name parties, in file order: the loader, the
# export, the gap audit and storage all read this one tuple.
PARTY_FIELDS = ("responsible", "accountable", "consulted", "informed", "after_hours", "escalation")


def is_placeholder(slack_id: str) -> bool:
    """A Slack id still holding the starter matrix's placeholder, not a real member id."""
    return PLACEHOLDER in slack_id.upper()


@dataclass(frozen=True)
class Person:
    slack: str
    name: str
    side: str
    admin: bool = False


@dataclass(frozen=True)
class Side:
    key: str  # "internal" or "provider"
    name: str
    people: tuple[Person, ...]
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (group name, member Slack ids)
    # The Slack workspaces (T…, or E… for an Enterprise Grid org) this side's people sign in
    # from: a provider's engineers usually reach the client's channel from their own workspace.
    teams: tuple[str, ...] = ()

    def group(self, name: str) -> tuple[str, ...] | None:
        return dict(self.groups).get(name)


@dataclass(frozen=True)
class BusinessHours:
    """One line of the week's hours: these weekdays open from `start` to `end` (local)."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time

    @property
    def opening(self) -> tuple[frozenset[int], time, time]:
        return self.days, self.start, self.end


@dataclass(frozen=True)
class SlaTarget:
    priority: str
    respond: Duration
    resolve: Duration
    clock: str = CLOCK_BUSINESS


@dataclass(frozen=True)
class SlaPolicy:
    targets: tuple[SlaTarget, ...]
    default: str = "P3"
    warn_at: tuple[int, ...] = (75, 90)  # percent of a clock's target

    def target(self, priority: str) -> SlaTarget | None:
        return next((t for t in self.targets if t.priority == priority), None)


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()  # party refs: a side, "side.group", a Slack id, or "shared"
    accountable: tuple[str, ...] = ()
    consulted: tuple[str, ...] = ()
    informed: tuple[str, ...] = ()
    after_hours: tuple[str, ...] = ()  # who is on duty outside business hours
    escalation: tuple[str, ...] = ()
    lead: str | None = None  # which party leads when responsibility is shared
    coverage: str = CLOCK_BUSINESS  # "24x7" areas need someone on duty after hours
    priority: str | None = None  # the area's usual priority when a handoff names none
    notes: str | None = None

    @property
    def is_shared(self) -> bool:
        return SHARED in self.responsible or len(self.responsible) > 1


@dataclass(frozen=True)
class Review:
    key: str
    name: str
    schedule: str  # RRULE or 5-field cron, in the organisation's time zone
    owner: str | None = None  # party ref
    remind_before: Duration | None = None
    area: str | None = None
    grace: Duration | None = None  # overdue this long before escalating to the accountable person
    reference: str | None = None  # the control or practice that asks for it


@dataclass(frozen=True)
class Handover:
    """When a rota passes to the next person: every `every` days (7 for `1w`), at `at` local
    time, counting from `start` (on `weekday` when the file names one, e.g. `mon 09:00`)."""

    every: int  # days between handovers
    at: time
    start: date
    weekday: int | None = None  # 0 = Monday; the start falls on it

    @property
    def every_text(self) -> str:
        return f"{self.every // 7}w" if self.every % 7 == 0 else f"{self.every}d"

    @property
    def at_text(self) -> str:
        day = f"{DAY_NAMES[self.weekday]} " if self.weekday is not None else ""
        return f"{day}{self.at:%H:%M}"


@dataclass(frozen=True)
class Rota:
    """People who take turns, in order: an after-hours rota, an on-call week."""

    key: str
    name: str
    people: tuple[str, ...]  # Slack ids in turn order
    handover: Handover

    @property
    def ref(self) -> str:
        return ROTA + self.key


@dataclass(frozen=True)
class Matrix:
    organisation: str
    name: str
    timezone: str
    business_hours: tuple[BusinessHours, ...]  # one entry, or several (a Saturday morning, a split day)
    channel: str | None
    sides: tuple[Side, ...]
    sla: SlaPolicy
    areas: tuple[Area, ...] = ()
    reviews: tuple[Review, ...] = ()
    holidays: tuple[date, ...] = ()
    digest_time: time = field(default=time(8, 30))
    digest_quiet: str = "post"  # one of DIGEST_QUIET
    contract: Contract | None = None  # block hours, overflow scope, approver, re-confirmation
    rotas: tuple[Rota, ...] = ()
    team: str | None = None  # the workspace the shared channel lives in (T…, or E… org-wide)

    @property
    def teams(self) -> frozenset[str]:
        """Every workspace the organisation's people come from: the channel's and each side's."""
        return frozenset(t for t in (self.team, *(t for s in self.sides for t in s.teams)) if t)

    @cached_property
    def calendar(self) -> BusinessCalendar:
        """The business hours and holidays as one calendar, built once: every clock and every
        duty question asks for it, a report tens of thousands of times."""
        return BusinessCalendar.weekly(self.timezone, (h.opening for h in self.business_hours), self.holidays)

    @property
    def working_days(self) -> frozenset[int]:
        """The weekdays the business opens at all (0 = Monday)."""
        return frozenset(day for hours in self.business_hours for day in hours.days)

    def side(self, key: str) -> Side | None:
        return self.sides_by_key.get(key)

    @cached_property
    def sides_by_key(self) -> dict[str, Side]:
        return {s.key: s for s in self.sides}

    def fingerprint(self) -> str:
        """A digest of the whole matrix: equal matrices, equal digests (re-imports compare these)."""
        return hashlib.sha256(repr(self).encode()).hexdigest()

    @cached_property
    def people(self) -> dict[str, Person]:
        return {p.slack: p for s in self.sides for p in s.people}

    @cached_property
    def areas_by_key(self) -> dict[str, Area]:
        return {a.key: a for a in self.areas}

    def area(self, key: str) -> Area | None:
        return self.areas_by_key.get(key)

    def review(self, key: str) -> Review | None:
        return next((r for r in self.reviews if r.key == key), None)

    def admins(self) -> list[Person]:
        return [p for p in self.people.values() if p.admin]

    def side_of(self, slack_id: str) -> str | None:
        person = self.people.get(slack_id)
        return person.side if person else None

    @cached_property
    def rotas_by_key(self) -> dict[str, Rota]:
        return {r.key: r for r in self.rotas}

    def rota(self, ref: str) -> Rota | None:
        """The rota a `rota:KEY` party ref (or a bare key) names, if any."""
        return self.rotas_by_key.get(ref.removeprefix(ROTA))

    def expand(self, ref: str) -> tuple[str, ...]:
        """The Slack ids a party ref stands for: a side's people, a group, one person, both sides,
        or everyone who takes turns on a rota (who is on turn at an instant is duty's question)."""
        if ref.startswith(ROTA):
            rota = self.rota(ref)
            return rota.people if rota else ()
        if ref == SHARED:
            return tuple(p.slack for s in self.sides for p in s.people)
        side_key, _, group = ref.partition(".")
        side = self.side(side_key)
        if side is not None:
            if group:
                return side.group(group) or ()
            return tuple(p.slack for p in side.people)
        return (ref,) if ref in self.people else ()

    def expand_all(self, refs: tuple[str, ...]) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for ref in refs:
            for slack_id in self.expand(ref):
                seen.setdefault(slack_id)
        return tuple(seen)

    def sides_of(self, ref: str | None) -> frozenset[str]:
        """The sides a party's people belong to (a side ref is that side even when it is empty)."""
        if ref is None:
            return frozenset()
        if ref.partition(".")[0] in self.sides_by_key:
            return frozenset({ref.partition(".")[0]})
        return frozenset(side for slack in self.expand(ref) if (side := self.side_of(slack)))

    def describe_party(self, ref: str) -> str | Who:
        """A party ref as a word: "Red Kite IT (provider)", "Red Kite IT soc group", or the person."""
        if ref == SHARED:
            return "both sides (shared)"
        if ref.startswith(ROTA):
            rota = self.rota(ref)
            return f"{rota.name} (rota)" if rota else ref
        side_key, _, group = ref.partition(".")
        side = self.side(side_key)
        if side is not None:
            return f"{side.name} {group} group" if group else f"{side.name} ({side.key})"
        return Who(ref)

    def other_side(self, side_key: str | None) -> str:
        return "internal" if side_key == "provider" else "provider"
