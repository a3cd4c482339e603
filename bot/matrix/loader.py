"""Read a matrix file into a `Matrix`, or say exactly what is wrong with it.

Every problem is collected (not just the first) with its line, field path and value, so an
IT lead fixes a file in one pass. Nothing is returned unless the whole file is valid: the
caller never sees half a matrix.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar import parse_days, week_of
from bot.contract.loader import read_contract
from bot.errors import MatrixError, Problem
from bot.matrix.durations import parse_percent
from bot.matrix.model import (
    CLOCK_24X7,
    CLOCK_BUSINESS,
    DIGEST_QUIET,
    PARTY_FIELDS,
    PRIORITIES,
    SIDES,
    Area,
    BusinessHours,
    Matrix,
    Person,
    Review,
    Side,
    SlaPolicy,
    SlaTarget,
    is_placeholder,
)
from bot.matrix.names import normalize
from bot.matrix.nodes import Node, NodeReader
from bot.matrix.parties import SLACK_USER, Parties
from bot.matrix.rota_loader import read_rotas
from bot.matrix.yaml_lines import YamlProblem
from bot.matrix.yaml_lines import load as load_yaml
from bot.reviews.schedule import parse_schedule

MARKUP = re.compile(r"[<>]|@(?:channel|here|everyone)\b", re.IGNORECASE)
SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{2,}$")  # a workspace, or an Enterprise Grid org
TEAM_HELP = "expected a Slack team id such as T0HOST0001 (or E… for an Enterprise Grid org): see README, For providers"
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

TOP_KEYS = (
    "organisation",
    "name",
    "timezone",
    "business_hours",
    "holidays",
    "channel",
    "team",
    "sides",
    "sla",
    "areas",
    "reviews",
    "digest",
    "rotas",
    "contract",
)
AREA_KEYS = ("key", "name", "aliases", *PARTY_FIELDS, "lead", "coverage", "priority", "notes")
REVIEW_KEYS = ("key", "name", "schedule", "owner", "remind_before", "area", "grace", "reference")


@dataclass(frozen=True)
class MatrixFile:
    """A valid matrix and what in its file still deserves a look (placeholders, no channel, markup)."""

    matrix: Matrix
    warnings: list[Problem]


def read_file(path: str | Path) -> MatrixFile:
    """Load and validate a matrix file, with its warnings; raise MatrixError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MatrixError([Problem(str(path), None, "", "", f"cannot read the file: {exc.strerror}")]) from exc
    return read_text(text, source=str(path))


def read_text(text: str, source: str = "<matrix>") -> MatrixFile:
    try:
        data = load_yaml(text)
    except YamlProblem as exc:
        raise MatrixError([Problem(source, exc.line, "", "", exc.message)]) from exc
    reader = _Reader(source)
    matrix = reader.matrix(data)
    if reader.problems or matrix is None:
        raise MatrixError(reader.problems)
    return MatrixFile(matrix, reader.warnings)


def load_file(path: str | Path) -> Matrix:
    """Load and validate a matrix file; raise MatrixError listing every problem."""
    return read_file(path).matrix


def load_text(text: str, source: str = "<matrix>") -> Matrix:
    return read_text(text, source).matrix


class _Reader(NodeReader):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.parties = Parties(set(), set(), set())

    def shown_text(self, parent: Node, key: str, required: bool = True) -> str | None:
        """Text that messages show (a name, a note): it loads, but markup in it earns a warning."""
        value = self.text(parent, key, required)
        if value is not None:
            self.plain(self.field(parent, key), value)
        return value

    def plain(self, node: Node, value: str) -> None:
        if MARKUP.search(value):
            self.warn(
                node,
                "looks like Slack markup (<…>, @channel, @here): Tandem shows it as plain text, "
                "so it pings nobody and links nowhere; write it as plain words",
            )

    # -- the document ------------------------------------------------------------
    def matrix(self, data: Any) -> Matrix | None:
        root = Node(data, 1, "")
        if not self.mapping(root, TOP_KEYS):
            return None
        org = self.text(root, "organisation")
        if org and not KEY.match(org):
            self.fail(self.field(root, "organisation"), "use lower-case letters, digits, '-' or '_' (it is a key)")
        tz = self.timezone(root)
        hours = self.business_hours(self.field(root, "business_hours"))
        channel = self.text(root, "channel", required=False)
        if channel is None:
            self.warn(
                self.field(root, "channel"),
                "no 'channel': handoffs, reminders and digests are posted in the shared channel; "
                "set it to the channel's id (channel details → bottom of the About tab)",
            )
        if channel and not SLACK_CHANNEL.match(channel):
            self.fail(
                self.field(root, "channel"),
                "expected a Slack channel id such as C0SHARED01 (channel details → bottom of the About tab)",
            )
        team = self.text(root, "team", required=False)
        if team and not SLACK_TEAM.match(team):
            self.fail(self.field(root, "team"), TEAM_HELP)
        sides = self.sides(self.field(root, "sides"))
        people = {p.slack: p for s in sides for p in s.people}
        groups = {f"{s.key}.{g}" for s in sides for g, _ in s.groups}
        rotas, rota_keys = read_rotas(self, self.field(root, "rotas"), set(people))
        self.parties = Parties(
            set(people),
            groups,
            rota_keys,
            {p.slack: p.side for p in people.values()},
            {f"{s.key}.{g}": members for s in sides for g, members in s.groups},
        )
        for side in sides:
            for group, members in side.groups:
                node = self.field(self.field(self.field(self.field(root, "sides"), side.key), "groups"), group)
                for slack_id in members:
                    if slack_id not in people:
                        self.fail(node, f"group member {slack_id} is not listed under any side's people")
        sla = self.sla(self.field(root, "sla"))
        sla_keys = self.field(root, "sla").value
        areas = self.areas(
            self.field(root, "areas"), {p for p in PRIORITIES if isinstance(sla_keys, dict) and p in sla_keys}
        )
        reviews = self.reviews(self.field(root, "reviews"), {a.key for a in areas})
        holidays = self.holidays(self.field(root, "holidays"))
        digest_time, digest_quiet = self.digest(self.field(root, "digest"))
        internal = tuple(p for s in sides if s.key == "internal" for p in s.people)
        contract = read_contract(self, self.field(root, "contract"), internal, self._expander(sides))
        if self.problems or not (org and tz and hours and sla):
            return None
        return Matrix(
            organisation=org,
            name=self.shown_text(root, "name", required=False) or org,
            timezone=tz,
            business_hours=hours,
            channel=channel,
            sides=sides,
            sla=sla,
            areas=areas,
            reviews=reviews,
            holidays=holidays,
            digest_time=digest_time,
            digest_quiet=digest_quiet,
            contract=contract,
            rotas=rotas,
            team=team,
        )

    @staticmethod
    def _expander(sides: tuple[Side, ...]):
        """A party ref → Slack ids, before the `Matrix` exists (for the contract's approver)."""
        probe = Matrix("", "", "UTC", (BusinessHours(frozenset(), time(8), time(9)),), None, sides, SlaPolicy(()))
        return probe.expand

    def timezone(self, root: Node) -> str | None:
        tz = self.text(root, "timezone")
        if tz is None:
            return None
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                self.field(root, "timezone"),
                "unknown time zone: use an IANA name such as Europe/London or America/New_York",
            )
            return None
        return tz

    def business_hours(self, node: Node) -> tuple[BusinessHours, ...] | None:
        """`{days, start, end}`, or a list of them: different hours on different days, or a split day."""
        if isinstance(node.value, list):
            entries = [self.opening(item) for item in self.items(node)]
            if not entries:
                self.fail(node, "give at least one {days, start, end} entry")
            if not entries or None in entries:
                return None
            hours = tuple(e for e in entries if e is not None)
            try:
                week_of(h.opening for h in hours)
            except ValueError as exc:
                self.fail(node, str(exc))
                return None
            return hours
        entry = self.opening(node)
        return (entry,) if entry else None

    def opening(self, node: Node) -> BusinessHours | None:
        if not self.mapping(node, ("days", "start", "end")):
            return None
        days_node = self.field(node, "days")
        try:
            days = parse_days(str(days_node.value or "mon-fri"))
        except ValueError as exc:
            self.fail(days_node, str(exc))
            return None
        start, end = self.clock_time(node, "start"), self.clock_time(node, "end")
        if start and end and end <= start:
            self.fail(self.field(node, "end"), "business hours must end after they start on the same day")
            return None
        return BusinessHours(days, start, end) if start and end else None

    def sides(self, node: Node) -> tuple[Side, ...]:
        if not self.mapping(node, SIDES):
            return ()
        sides: list[Side] = []
        seen: dict[str, int | None] = {}
        for key in SIDES:
            side_node = self.field(node, key)
            if side_node.value is None:
                self.fail(
                    side_node, f"the '{key}' side is required: a co-managed matrix has an internal team and a provider"
                )
                continue
            if not self.mapping(side_node, ("name", "people", "groups", "teams")):
                continue
            people = []
            for item in self.items(self.field(side_node, "people")):
                if not self.mapping(item, ("slack", "name", "admin")):
                    continue
                slack, name = self.text(item, "slack"), self.shown_text(item, "name")
                if slack and is_placeholder(slack):
                    self.warn(
                        self.field(item, "slack"),
                        "a placeholder from tandem matrix init: put the person's Slack member id here "
                        "(profile → ⋮ → Copy member ID)",
                    )
                if slack and not SLACK_USER.match(slack):
                    self.fail(
                        self.field(item, "slack"),
                        "expected a Slack member id such as U0ALICE01 (profile → ⋮ → Copy member ID)",
                    )
                elif slack in seen:
                    self.fail(self.field(item, "slack"), f"{slack} is listed twice (also at line {seen[slack]})")
                elif slack and name:
                    seen[slack] = item.line
                    people.append(Person(slack, name, key, bool(item.value.get("admin", False))))
            if not people:
                self.fail(self.field(side_node, "people"), f"the {key} side needs at least one person")
            groups = []
            groups_node = self.field(side_node, "groups")
            if groups_node.value is not None and self.mapping(groups_node, tuple(map(str, groups_node.value or ()))):
                for group in groups_node.value:
                    self.plain(self.field(groups_node, group), str(group))
                    members = self.field(groups_node, group).value
                    members = [members] if isinstance(members, str) else list(members or [])
                    groups.append((str(group), tuple(str(m) for m in members)))
            teams = self.teams(self.field(side_node, "teams"))
            sides.append(Side(key, self.shown_text(side_node, "name") or key, tuple(people), tuple(groups), teams))
        return tuple(sides)

    def teams(self, node: Node) -> tuple[str, ...]:
        """`teams: [T…]`: the workspaces a side's people come from (one id alone is a list of one)."""
        if node.value is None:
            return ()
        items = [node] if isinstance(node.value, str) else self.items(node)
        found: list[str] = []
        for item in items:
            if not isinstance(item.value, str) or not SLACK_TEAM.match(item.value):
                self.fail(item, TEAM_HELP)
            elif item.value not in found:
                found.append(item.value)
        return tuple(found)

    def sla(self, node: Node) -> SlaPolicy | None:
        if not self.mapping(node, (*PRIORITIES, "default", "warn_at")):
            return None
        targets = []
        for priority in PRIORITIES:
            p_node = self.field(node, priority)
            if p_node.value is None:
                continue
            if not self.mapping(p_node, ("respond", "resolve", "clock")):
                continue
            respond, resolve = self.duration(p_node, "respond"), self.duration(p_node, "resolve")
            clock = self.text(p_node, "clock", required=False) or CLOCK_BUSINESS
            if clock not in (CLOCK_BUSINESS, CLOCK_24X7):
                self.fail(self.field(p_node, "clock"), f"clock must be '{CLOCK_BUSINESS}' or '{CLOCK_24X7}'")
            if respond and resolve:
                targets.append(SlaTarget(priority, respond, resolve, clock))
        if not targets:
            self.fail(node, "define at least one priority (P1–P4) with respond and resolve targets")
        default = self.text(node, "default", required=False) or "P3"
        if default not in {t.priority for t in targets}:
            self.fail(self.field(node, "default"), f"default priority {default} has no targets in sla")
        warn_node = self.field(node, "warn_at")
        warn_at = []
        for item in self.items(warn_node) if warn_node.value is not None else []:
            try:
                warn_at.append(parse_percent(item.value))
            except ValueError as exc:
                self.fail(item, str(exc))
        return SlaPolicy(
            tuple(targets), default, tuple(sorted(set(warn_at))) if warn_node.value is not None else (75, 90)
        )

    def party_list(
        self, parent: Node, key: str, allow_shared: bool = False, people_only: bool = False
    ) -> tuple[str, ...]:
        """The party refs of one RACI cell; `people_only` where only a person can answer (accountable)."""
        node = self.field(parent, key)
        values = [node.value] if isinstance(node.value, str) else node.value
        if values is None:
            return ()
        if not isinstance(values, list):
            self.fail(node, f"'{key}' must be a side, a side.group, a Slack member id, or a list of them")
            return ()
        refs = []
        for index, value in enumerate(values):
            item = self.field(node, index) if isinstance(node.value, list) else node
            problem = self.parties.problem(str(value), allow_shared, allow_rota=key != "accountable")
            if problem:
                self.fail(item, problem)
            elif people_only and str(value) not in self.parties.people:
                self.fail(
                    item,
                    f"'{key}' names one person, not a side or a group: put the Slack member id of the "
                    f"one person who answers for this area (e.g. {self.parties.example(str(value))})",
                )
            else:
                refs.append(str(value))
        return tuple(refs)

    def areas(self, node: Node, declared: set[str]) -> tuple[Area, ...]:
        """`declared`: the priorities the sla section names (checked there), for the areas' `priority`."""
        areas: list[Area] = []
        names: dict[str, tuple[str, int | None]] = {}
        keys: dict[str, int | None] = {}
        for item in self.items(node):
            if not self.mapping(item, AREA_KEYS):
                continue
            key, name = self.text(item, "key"), self.shown_text(item, "name")
            if key and not KEY.match(key):
                self.fail(self.field(item, "key"), "use lower-case letters, digits, '-' or '_'")
            if key and key in keys:
                self.fail(self.field(item, "key"), f"area key '{key}' is used twice (also at line {keys[key]})")
                continue
            if key:
                keys[key] = self.field(item, "key").line
            aliases = tuple(str(a) for a in (self.field(item, "aliases").value or ()))
            for index, alias in enumerate(aliases):
                self.plain(self.field(self.field(item, "aliases"), index), alias)
            for label, field_node in [(key, self.field(item, "key")), (name, self.field(item, "name"))] + [
                (a, self.field(self.field(item, "aliases"), i)) for i, a in enumerate(aliases)
            ]:
                norm = normalize(label or "")
                if norm and norm in names and names[norm][0] != key:
                    other, line = names[norm]
                    self.fail(
                        field_node,
                        f"'{label}' also names area '{other}' (line {line}); each key, name and alias must point to one area",
                    )
                elif norm:
                    names[norm] = (key or "", field_node.line)
            parties = {
                f: self.party_list(item, f, allow_shared=(f == "responsible"), people_only=(f == "accountable"))
                for f in PARTY_FIELDS
            }
            lead = self.text(item, "lead", required=False)
            if lead and (problem := self.parties.problem(lead, False)):
                self.fail(self.field(item, "lead"), problem)
            coverage = self.text(item, "coverage", required=False) or CLOCK_BUSINESS
            if coverage not in (CLOCK_BUSINESS, CLOCK_24X7):
                self.fail(self.field(item, "coverage"), f"coverage must be '{CLOCK_BUSINESS}' or '{CLOCK_24X7}'")
            priority = self.text(item, "priority", required=False)
            if priority and priority not in declared:
                self.fail(
                    self.field(item, "priority"),
                    f"priority must be one of {', '.join(sorted(declared)) or 'the priorities under sla'}",
                )
            if key and name:
                areas.append(
                    Area(
                        key=key,
                        name=name,
                        aliases=aliases,
                        lead=lead,
                        coverage=coverage,
                        priority=priority,
                        notes=self.shown_text(item, "notes", required=False),
                        **parties,
                    )
                )
        return tuple(areas)

    def reviews(self, node: Node, area_keys: set[str]) -> tuple[Review, ...]:
        reviews, seen = [], set()
        for item in self.items(node):
            if not self.mapping(item, REVIEW_KEYS):
                continue
            key, name, schedule = self.text(item, "key"), self.shown_text(item, "name"), self.text(item, "schedule")
            if key in seen:
                self.fail(self.field(item, "key"), f"review key '{key}' is used twice")
            seen.add(key)
            if schedule:
                try:
                    parse_schedule(schedule)
                except ValueError as exc:
                    self.fail(self.field(item, "schedule"), str(exc))
            owner = self.text(item, "owner", required=False)
            if owner and (problem := self.parties.problem(owner, False)):
                self.fail(self.field(item, "owner"), problem)
            area = self.text(item, "area", required=False)
            if area and area not in area_keys:
                close = difflib.get_close_matches(area, sorted(area_keys), n=3)
                self.fail(
                    self.field(item, "area"),
                    f"no area has the key '{area}'" + (f"; closest: {', '.join(close)}" if close else ""),
                )
            remind, grace = self.duration(item, "remind_before", False), self.duration(item, "grace", False)
            if key and name and schedule:
                reviews.append(
                    Review(
                        key,
                        name,
                        schedule,
                        owner,
                        remind,
                        area,
                        grace,
                        self.shown_text(item, "reference", required=False),
                    )
                )
        return tuple(reviews)

    def holidays(self, node: Node) -> tuple[date, ...]:
        days = []
        for item in self.items(node):
            try:
                days.append(date.fromisoformat(str(item.value)))
            except ValueError:
                self.fail(item, "expected a date written YYYY-MM-DD")
        return tuple(sorted(set(days)))

    def digest(self, node: Node) -> tuple[time, str]:
        """`digest: {time: "08:30", quiet: post|skip}`: when the daily digest posts, and whether
        a morning with nothing to report posts "all clear" or nothing."""
        if node.value is None or not self.mapping(node, ("time", "quiet")):
            return time(8, 30), DIGEST_QUIET[0]
        quiet = self.text(node, "quiet", required=False) or DIGEST_QUIET[0]
        if quiet not in DIGEST_QUIET:
            self.fail(
                self.field(node, "quiet"), f"quiet must be '{DIGEST_QUIET[0]}' (say all clear) or '{DIGEST_QUIET[1]}'"
            )
        return self.clock_time(node, "time", default="08:30") or time(8, 30), quiet
