"""The provider's fleet: `/tandem fleet` for its admins, and the weekly fleet digest (posted
at its time, or now by `/tandem digest fleet`).

A provider serves many organisations from one Tandem; its admins are the people listed as
admins on the provider side of a matrix. Each of their clients becomes one line of counts
taken from that client's daily digest (the same numbers its channel sees each morning).

The weekly fleet digest shows those lines for every organisation of the deployment in the
provider's channel. It goes through the outbox like every other post, under a key naming
its week, so however many replicas tick and however often, it is posted once; the outbox
row belongs to no organisation (see `storage.models.Outbox`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import as_utc
from bot.digests.fleet import (
    KIND,
    ClientLine,
    FleetDigest,
    FleetSchedule,
    WeekTotals,
    latest_fleet_digest,
    provider_workspace,
    week_of,
)
from bot.errors import TandemError
from bot.matrix.model import Matrix
from bot.outbox import NewPost, OutboxItem
from bot.ports import Store
from bot.services import digests
from bot.services.deps import Deps
from bot.services.matrices import MatrixCache
from bot.services.tick_matrices import TickMatrices

WEEK = timedelta(days=7)
log = logging.getLogger(__name__)


def provider_admin(matrix: Matrix, user: str) -> bool:
    person = matrix.people.get(user)
    return person is not None and person.admin and person.side == "provider"


def on_provider_side(matrix: Matrix, user: str) -> bool:
    person = matrix.people.get(user)
    return person is not None and person.side == "provider"


def clients(store: Store, matrices: MatrixCache, user: str, now: datetime) -> list[ClientLine]:
    """One line per organisation where `user` is a provider admin, worst first."""
    lines = [line for _, line in worst_first(store, serving(store, matrices, user, provider_admin), now)]
    if not lines:
        raise TandemError(
            "`/tandem fleet` lists a provider's clients for its admins: no matrix lists you as an admin "
            "on the provider side."
        )
    return lines


def serving(
    store: Store,
    matrices: MatrixCache,
    user: str,
    serves: Callable[[Matrix, str], bool],
    keys: list[str] | None = None,
) -> list[Matrix]:
    """The matrices of the organisations `user` serves, as `serves(matrix, user)` decides;
    `keys`: the organisations listing `user`, when the caller read them already."""
    keys = store.organisations_of(user) if keys is None else keys
    found = (matrices.get(store, org_key).matrix for org_key in keys)
    return [matrix for matrix in found if serves(matrix, user)]


def worst_first(store: Store, found: list[Matrix], now: datetime) -> list[tuple[Matrix, ClientLine]]:
    """Each of these organisations with its line, the one needing attention first."""
    lines = [(matrix, _line(store, matrix, now)) for matrix in found]
    return sorted(lines, key=lambda pair: pair[1].urgency)


def _line(store: Store, matrix: Matrix, now: datetime) -> ClientLine:
    daily = digests.daily(store, matrix, now)
    statement = daily.hours.statement if daily.hours else None
    return ClientLine(
        organisation=matrix.organisation,
        name=matrix.name,
        channel=matrix.channel,
        open=sum(daily.open_by_side.values()),
        at_risk=len(daily.at_risk),
        breached=len(daily.breached),
        overdue_reviews=len(daily.reviews_overdue),
        gaps=len(daily.gaps),
        hours_left=statement.left if statement else None,
    )


def plan(deps: Deps, now: datetime) -> int:
    """Claim this week's fleet digest once its time has come (1 when this call claimed it).

    Every tick asks; the outbox key names the week, so only the first claim counts."""
    schedule = deps.fleet
    occurrence = latest_fleet_digest(schedule, now) if schedule else None
    if schedule is None or occurrence is None:
        return 0
    payload = _payload(schedule, occurrence.week, occurrence.at)
    with deps.units() as store:
        team, why = workspace(store, schedule)
        new = store.enqueue_all([NewPost("", occurrence.key, KIND, payload, team)], now)
    if new and why:
        log.warning(
            "the fleet digest of %s goes through workspace %s, named at start-up: %s now; set TANDEM_FLEET_TEAM",
            occurrence.week,
            team,
            why,
        )
    return len(new)


def _payload(schedule: FleetSchedule, week: str, at: datetime) -> dict[str, str]:
    """What a queued fleet digest needs to be made when it is posted: its week, time and channel."""
    return {"week": week, "at": at.isoformat(), "timezone": schedule.timezone, "channel": schedule.channel}


def workspace(store: Store, schedule: FleetSchedule) -> tuple[str | None, str]:
    """The workspace the fleet digest goes through: TANDEM_FLEET_TEAM, else the one the matrices
    name for the provider as they stand (an import since start-up may have changed it). When
    they no longer name one, the one named at start-up, with the reason (else "")."""
    if not schedule.derived:
        return schedule.team, ""
    team, why = provider_workspace(store.provider_teams())
    return (team, "") if team else (schedule.team, why)


def post_now(
    store: Store, matrices: MatrixCache, schedule: FleetSchedule | None, user: str, now: datetime
) -> tuple[str, str | None]:
    """`/tandem digest fleet`: a provider admin posts the fleet digest now. It is queued under a
    key naming the asker and the minute, so a request retried or sent twice posts it once;
    returns (channel, outbox key), the key None when this minute's was already asked for."""
    if not serving(store, matrices, user, provider_admin):
        raise TandemError(
            "`/tandem digest fleet` posts the fleet digest for the provider's admins: no matrix lists you as an "
            "admin on the provider side."
        )
    if schedule is None:
        raise TandemError(
            "There is no fleet channel to post the fleet digest in: set TANDEM_FLEET_CHANNEL to a channel in your "
            "own workspace (and invite Tandem to it)."
        )
    minute = as_utc(now).replace(second=0, microsecond=0)
    key = f"fleet:asked:{minute.isoformat()}:{user}"
    week = week_of(as_utc(now).astimezone(ZoneInfo(schedule.timezone)).date())
    new = store.enqueue_all([NewPost("", key, KIND, _payload(schedule, week, now), workspace(store, schedule)[0])], now)
    return schedule.channel, key if new else None


def provider_admins(store: Store, matrices: TickMatrices) -> list[str]:
    """The provider admins of every matrix, each once: whom a fleet digest that cannot be posted tells."""
    admins = []
    for org_key in store.organisation_keys():
        admins += [p.slack for p in matrices.get(store, org_key).admins() if p.side == "provider"]
    return list(dict.fromkeys(admins))


def fleet_digest(store: Store, matrices: TickMatrices, item: OutboxItem, now: datetime) -> FleetDigest:
    """The fleet as it stands at `now`: every organisation's line, worst first, and the week's totals.

    An organisation imported since last week is simply one more line: the digest reads the
    organisations when it is posted."""
    lines, opened, resolved = [], 0, 0
    for org_key in store.organisation_keys():
        matrix = matrices.get(store, org_key)
        lines.append(_line(store, matrix, now))
        for handoff in store.handoffs_touched_since(org_key, now - WEEK):
            opened += handoff.opened_at >= now - WEEK
            resolved += handoff.resolved_at is not None and handoff.resolved_at >= now - WEEK
    lines.sort(key=lambda line: line.urgency)
    totals = WeekTotals(
        opened=opened,
        resolved=resolved,
        breached_clients=sum(1 for line in lines if line.breached),
        at_risk_clients=sum(1 for line in lines if line.at_risk),
    )
    at = datetime.fromisoformat(item.payload["at"])
    return FleetDigest(item.payload["week"], at, item.payload["timezone"], now, lines, totals)
