"""Opening handoffs and moving them along, with the channel kept in step.

A handoff and the posts that announce it are written in one transaction (the posts to the
outbox), and posted once it has committed: there is never a message with buttons for a
handoff that does not exist, and a post Slack refuses or a process that dies before posting
leaves the post queued, to be sent by the next tick, rather than lost. The requester is
told when their post is waiting, and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.alerts.sla import next_alert_at
from bot.contract.rules import approvers_at
from bot.errors import TandemError, Who, Words, listing
from bot.grammar import MENTION, Command, addressed
from bot.handoffs.clocks import MARGIN, next_due, shown_until
from bot.handoffs.listing import HandoffFilter
from bot.handoffs.model import STEP_DONE, Handoff, Moved, Transition
from bot.handoffs.transitions import apply, status_words
from bot.matrix.model import SHARED, SIDES, Area, Matrix, Person
from bot.outbox import OutboxItem, Unposted, not_posted, root_key, said_key, update_key
from bot.ownership.cover import LeavePeriod
from bot.ownership.duty import Duty, Ping, for_party, handoff_ping, on_duty
from bot.ownership.pings import ping_json
from bot.ports import Store
from bot.services.deps import Deps
from bot.services.handoff_lookup import find
from bot.services.hours import log_hours, logged_posts
from bot.services.matrices import LoadedMatrix
from bot.services.posts import ROOT
from bot.services.schedule import claimed, deliver_claimed

USAGE = "/handoff [P1-P4] [@person | internal | provider | provider.group | area:] <summary>"


def _side_of_ref(matrix: Matrix, ref: str, fallback: str) -> str:
    if ref == SHARED:
        return fallback
    side = ref.partition(".")[0]
    return side if side in SIDES else (matrix.side_of(ref) or fallback)


def _addressed(loaded: LoadedMatrix, command: Command) -> Command:
    """`backups: the job failed` is for the backups area; `URGENT: email is down` is a summary.

    Only an area's key, name or alias (written exactly, case and plurals aside) before the
    colon makes it a target: a guess at what someone meant must never send their handoff
    somewhere they did not ask for, nor refuse it."""
    if command.target is not None or command.name != "handoff":
        return command
    head, colon, tail = command.text.partition(":")
    if colon and head.strip().lower() == "area":
        return _to_area(loaded, command, tail)
    split = addressed(command.text)
    area = loaded.index.labelled(split[0]) if split else None
    if split is None or area is None:
        return command
    return replace(command, text=split[1], target=area.key)


def _to_area(loaded: LoadedMatrix, command: Command, rest: str) -> Command:
    """`area:backups the job failed`, as the usage line writes it: the word after `area:` must
    be an area, or the handoff is refused with the closest ones, never sent elsewhere."""
    key, _, summary = rest.strip().partition(" ")
    area = loaded.index.labelled(key) if key else None
    if area is None:
        closest = ", ".join(m.area.key for m in loaded.index.resolve(key).matches) if key else ""
        raise TandemError(
            f"No area of the matrix is called '{key}'."
            + (f" Closest: {closest}." if closest else "")
            + " Write it as /handoff area:KEY summary (or KEY: summary); `/tandem matrix` lists every area."
        )
    if not summary.strip():
        raise TandemError(f"Say what the handoff for {area.name} is about: /handoff area:{area.key} what happened")
    return replace(command, text=summary.strip(), target=area.key)


def _target(
    loaded: LoadedMatrix, command: Command, requester: Person, now: datetime, leave: list[LeavePeriod]
) -> tuple[str, str, Area | None, Duty]:
    """(target ref, target side, area, who is on duty for it now) for a new handoff.

    A person who is away hands their work to whoever covers them: the handoff is addressed to
    that person, whether it was sent to them or to an area they answer for alone, so the one
    pinged is the one who may pick it up."""
    matrix = loaded.matrix
    other = matrix.other_side(requester.side)
    skip = (requester.slack,)
    if command.name == "overflow":
        return "provider", "provider", None, for_party(matrix, "provider", "provider", now, leave, skip)
    target = command.target
    if target is None:
        return other, other, None, for_party(matrix, other, other, now, leave, skip)
    side, _, group = target.partition(".")
    if side in SIDES:
        if group and matrix.sides_by_key[side].group(group) is None:
            groups = ", ".join(f"{side}.{g}" for g, _ in matrix.sides_by_key[side].groups) or "none are defined"
            raise TandemError(
                f"{matrix.describe_party(side)} has no group '{group}' (groups: {groups}). Usage: {USAGE}"
            )
        return target, side, None, for_party(matrix, target, side, now, leave, skip)
    if target in matrix.people:
        duty = for_party(matrix, target, matrix.people[target].side, now, leave, skip)
        addressed = _covering(duty, target, requester.slack) or target
        return addressed, matrix.people[addressed].side, None, duty
    area = matrix.area(target)
    if area is None and MENTION.match(f"<@{target}>"):
        raise TandemError(
            Who(target), f" is not in the matrix of {matrix.name}: hand off to a side, an area or a listed person."
        )
    if area is None:
        raise TandemError(f"There is no area '{target}' in the matrix of {matrix.name}: `/tandem matrix` lists them.")
    duty = on_duty(matrix, area, now, leave, skip, requester.side)
    ref = duty.parties[0] if duty.parties else area.responsible[0]
    if len(duty.parties) == 1 and (covering := _covering(duty, ref, requester.slack)):
        return covering, matrix.people[covering].side, area, duty
    return ref, duty.side or _side_of_ref(matrix, ref, other), area, duty


def _covering(duty: Duty, person: str, requester: str) -> str | None:
    """Who stands in for `person` (away) on this handoff: not the requester, who knows already."""
    return next((s.by for s in duty.away if s.period.person == person and s.by and s.by != requester), None)


def area_it_names(loaded: LoadedMatrix, handoff: Handoff) -> Area | None:
    """The area a side-addressed handoff's summary opens with (`/handoff backups P1 job failed`):
    the requester likely meant `backups:`, which goes to whoever is on duty for it, so the
    confirmation says so. None when the handoff went to an area or person, or no area leads."""
    if handoff.kind != "handoff" or handoff.area is not None or handoff.target not in SIDES:
        return None
    words = handoff.summary.split()
    for size in range(min(len(words) - 1, loaded.index.longest_label), 0, -1):
        if (area := loaded.index.labelled(" ".join(words[:size]))) is not None:
            return area
    return None


def prepare(loaded: LoadedMatrix, requester: str, command: Command) -> tuple[Person, Command, str]:
    """(the requester, the command with its area read, the summary), or the sentence why a
    request cannot be opened at all: checked before a handoff opens or an overflow is held."""
    matrix = loaded.matrix
    person = matrix.people.get(requester)
    if person is None:
        admins = listing(p.slack for p in matrix.admins())
        raise TandemError(
            f"You are not in the matrix of {matrix.name}, so Tandem cannot tell which side you are on. "
            "Ask an admin to add you: ",
            *admins,
            ".",
        )
    if command.name == "overflow" and person.side == "provider":
        client, provider = matrix.describe_party("internal"), matrix.describe_party("provider")
        raise TandemError(
            f"Overflow is how {client} asks {provider} for extra hands, so it is not for the provider's own "
            "people: hand work to the client with /handoff internal <summary>, or to a colleague with "
            "/handoff @person <summary>."
        )
    command = _addressed(loaded, command)
    summary = command.text.strip()
    if not summary:
        raise TandemError(
            f"Say what needs doing: {USAGE if command.name == 'handoff' else '/overflow [P1-P4] <summary>'}"
        )
    if not matrix.channel:
        raise TandemError(
            f"The matrix of {matrix.name} names no shared channel: add 'channel: C…' to the file and import it again."
        )
    return person, command, summary


def priority_of(matrix: Matrix, command: Command, area: Area | None) -> str:
    """The priority asked for, else the area's, else the matrix's default; one with SLA targets."""
    priority = command.priority or (area.priority if area else None) or matrix.sla.default
    if matrix.sla.target(priority) is None:
        known = ", ".join(t.priority for t in matrix.sla.targets)
        raise TandemError(f"{priority} has no SLA targets in this matrix: use one of {known}.")
    return priority


def open_handoff(
    store: Store,
    loaded: LoadedMatrix,
    requester: str,
    command: Command,
    now: datetime,
    details: str = "",
) -> tuple[Handoff, Ping]:
    """Write a new handoff and queue its root message (`root_key`): the caller posts that once
    this has committed."""
    matrix = loaded.matrix
    person, command, summary = prepare(loaded, requester, command)
    leave = store.leave_at(matrix.organisation, now)
    target, target_side, area, duty = _target(loaded, command, person, now, leave)
    priority = priority_of(matrix, command, area)
    ping = handoff_ping(matrix, duty, area, priority, now, leave, (requester,))
    handoff = Handoff(
        id=None,
        organisation=matrix.organisation,
        kind=command.name,
        summary=summary,
        details=details,
        priority=priority,
        requester=requester,
        requester_side=person.side,
        target_side=target_side,
        target=target,
        opened_at=now,
        area=area.key if area else None,
    )
    handoff = replace(handoff, channel=matrix.channel)
    handoff = replace(
        handoff, id=store.add_handoff(handoff, next_due(handoff, matrix, now), next_alert_at(handoff, matrix, now))
    )
    store.enqueue(matrix.organisation, root_key(handoff.number), "handoff",
                  {"handoff": handoff.number, "ping": ping_json(ping)}, now)  # fmt: skip
    store.audit(
        matrix.organisation,
        now,
        requester,
        "handoff.open",
        f"handoff #{handoff.id}",
        {"kind": command.name, "priority": priority, "target": target, "area": handoff.area, "summary": summary},
    )
    return handoff, ping


def act(
    store: Store,
    loaded: LoadedMatrix,
    handoff_id: int,
    action: str,
    actor: str,
    now: datetime,
    note: str | None = None,
    seen: int | None = None,
) -> tuple[Handoff, Transition]:
    """Take one step and record it, with its announcement queued; the caller sends that once the
    transaction has committed (`announce`), so whoever reacts to the updated message already
    sees the new state.

    A compare-and-set on the version: a step decided on the message the person saw (`seen`,
    from the button) is applied to that version only, so when two people press at once one
    wins and the other is told what happened instead (`Moved`). The row is locked while the
    step is decided (BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL), and the write
    checks the version again whatever the database."""
    matrix = loaded.matrix
    handoff = find(store, loaded, handoff_id, lock=True)
    if seen is not None and seen != handoff.version:
        raise _moved(store, matrix, handoff)
    changed, transition = apply(handoff, action, actor, now, matrix, note)
    version = store.step_handoff(
        changed, due_at=next_due(changed, matrix, now), alert_at=next_alert_at(changed, matrix, now)
    )
    if version is None:
        raise _moved(store, matrix, find(store, loaded, handoff_id))
    changed = replace(changed, version=version)
    if changed.channel:
        org = matrix.organisation
        store.enqueue(org, update_key(handoff_id, version), ROOT, {"handoff": handoff_id}, now)
        said = {"handoff": handoff_id, "transition": transition.to_json()}
        store.enqueue(org, said_key(handoff_id, version), "said", said, now)
    store.audit(
        matrix.organisation,
        now,
        actor,
        f"handoff.{action}",
        f"handoff #{handoff_id}",
        {"before": transition.before, "after": transition.after, "note": note, "version": version},
    )
    return changed, transition


def _moved(store: Store, matrix: Matrix, handoff: Handoff) -> Moved:
    """What the person whose click lost should hear: who moved the handoff, and where it is now."""
    last = store.last_step(matrix.organisation, handoff.number)
    step = last.kind.removeprefix("handoff.") if last else ""
    by: Words = (Who(last.actor), f" {STEP_DONE[step]}, and ") if last and step in STEP_DONE else ()
    return Moved(
        "Tandem already moved this: ",
        *by,
        "it is now ",
        *status_words(handoff),
        ". Your click changed nothing: the message shows where it stands now.",
    )


def announce(deps: Deps, posts: list[OutboxItem]) -> None:
    """Post what a committed change queued and claimed (`claimed`), in order; when Slack would
    not take it, say so (the change itself stands, and the post waits in the outbox)."""
    problems = deliver_claimed(deps, posts)
    if problems:
        raise Unposted("Done, but ", *not_posted(problems[0]))


@dataclass(frozen=True)
class SlaOverview:
    open: int
    breached: int
    most_urgent: list[Handoff]
    only: HandoffFilter | None = None  # what the listing was narrowed to, if anything
    awaiting: tuple[int, ...] = ()  # the overflow requests held for approval (unnarrowed only), oldest first
    deciders: tuple[str, ...] = ()  # who can approve or decline them now


SLA_USAGE = "/tandem sla [breached] [mine] [internal | provider]"


def sla_filter(words: str, user: str, now: datetime) -> HandoffFilter | None:
    """`breached`, `mine`, `internal`, `provider` (any of them, in any order) as a filter."""
    side = person = breached = None
    for word in words.lower().replace(",", " ").split():
        if word in SIDES:
            side = word
        elif word in ("mine", "me", "my"):
            person = user
        elif word in ("breached", "breach", "late"):
            breached = now
        else:
            raise TandemError(f"'{word}' is not something I can list handoffs by: {SLA_USAGE}")
    return HandoffFilter(side, person, breached) if words.strip() else None


def sla_overview(
    store: Store, loaded: LoadedMatrix, now: datetime, limit: int = 25, only: HandoffFilter | None = None
) -> SlaOverview:
    """Counts of open and breached handoffs and the most urgent ones, breached first; unnarrowed,
    the overflow requests waiting for approval too, and who decides them now."""
    matrix = loaded.matrix
    org = matrix.organisation
    total, breached = store.count_open_handoffs(org, now, only)
    overview = SlaOverview(total, breached, store.most_urgent_handoffs(org, limit, only), only)
    awaiting = tuple(r.number for r in store.pending_overflow_requests(org)) if only is None else ()
    if not awaiting:
        return overview
    return replace(overview, awaiting=awaiting, deciders=approvers_at(matrix, now, store.leave_at(org, now)))


def sla_holds_until(store: Store, loaded: LoadedMatrix, overview: SlaOverview, now: datetime) -> datetime | None:
    """Until when `sla_overview` at `now`, with the same handoffs, reads the same (just before
    the returned instant): the next breach of any handoff it counts moves its counts, and each
    listed one's clock shows the same state and whole percent only so long, and who decides
    the overflow waiting for approval only until leave starts or ends. None: for as long as
    the handoffs (and the held requests) are unchanged."""
    matrix = loaded.matrix
    due = store.next_due_handoff(matrix.organisation, now, overview.only)
    bounds = [due - MARGIN] if due is not None else []
    bounds += [at for h in overview.most_urgent if (at := shown_until(h, matrix, now)) is not None]
    if overview.awaiting:
        leave = store.leave_overlapping(matrix.organisation, now)
        bounds += [p.starts_at if p.starts_at > now else p.ends_at for p in leave]
    return min(bounds, default=None)


def open_from(deps: Deps, command: Command, user: str, channel: str | None, details: str = "") -> tuple[Handoff, Ping]:
    """Open a handoff asked for in `channel` (a command, a mention or the modal)."""
    now = deps.clock.now()
    with deps.units() as store:
        loaded = deps.matrices.for_request(store, channel, user)
        handoff, ping = open_handoff(store, loaded, user, command, now, details)
        posts = claimed(store, [root_key(handoff.number)], now)
    problems = deliver_claimed(deps, posts)
    if problems:
        raise Unposted(f"Handoff #{handoff.number} is open, but ", *not_posted(problems[0]))
    with deps.units(read_only=True) as store:
        return find(store, loaded, handoff.number), ping


def step(
    deps: Deps,
    handoff_id: int,
    action: str,
    user: str,
    channel: str | None,
    note: str | None = None,
    seen: int | None = None,
) -> Handoff:
    """A button or modal moved a handoff along; TandemError says why not.

    The channel hears of it after the commit, never before."""
    now = deps.clock.now()
    with deps.units() as store:
        loaded = deps.matrices.for_request(store, channel, user)
        changed, _ = act(store, loaded, handoff_id, action, user, now, note, seen)
        posts = claimed(store, step_keys(changed), now)
    announce(deps, posts)
    return changed


def step_keys(handoff: Handoff) -> list[str]:
    """The posts `act` queued for the step that made this version."""
    if not handoff.channel:
        return []
    return [update_key(handoff.number, handoff.version), said_key(handoff.number, handoff.version)]


def check_step(
    deps: Deps, handoff_id: int, action: str, user: str, channel: str | None, seen: int | None = None
) -> None:
    """Raise the refusal `step` would give, without changing anything (before a modal opens)."""
    with deps.units(read_only=True) as store:
        loaded = deps.matrices.for_request(store, channel, user)
        handoff = find(store, loaded, handoff_id)
        if seen is not None and seen != handoff.version:
            raise _moved(store, loaded.matrix, handoff)
        apply(handoff, action, user, deps.clock.now(), loaded.matrix)


def resolve_with_hours(
    deps: Deps,
    handoff_id: int,
    user: str,
    channel: str | None,
    note: str | None,
    minutes: int | None,
    seen: int | None = None,
) -> Handoff:
    """Resolve and log the hours spent in one transaction; the thread hears of both after it commits."""
    now = deps.clock.now()
    with deps.units() as store:
        loaded = deps.matrices.for_request(store, channel, user)
        changed, _ = act(store, loaded, handoff_id, "resolve", user, now, note, seen)
        logged = log_hours(store, loaded, user, handoff_id, minutes, "", now) if minutes else None
        posts = claimed(store, step_keys(changed), now)  # the step's posts first, then the hours'
        posts += claimed(store, logged_posts(logged) if logged is not None else [], now)
    announce(deps, posts)
    return changed
