"""Hours against the contract's bank: logging them, and what each period has used and left.

This is the read API for hours: `/tandem hours`, the digests and the service review all
ask `report` (one period) or `reports` (a run of periods) and get the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.contract.bank import Period, period_of, statements
from bot.contract.hours import (
    Burn,
    HoursEntry,
    HoursReport,
    Logged,
    elapsed_share,
    require_logger,
    used_by_period,
    week_before,
)
from bot.contract.model import format_hours
from bot.errors import TandemError
from bot.matrix.model import Matrix
from bot.outbox import hours_key
from bot.ports import Store
from bot.services.deps import Deps
from bot.services.handoff_lookup import find
from bot.services.matrices import LoadedMatrix


def _per(matrix: Matrix) -> str:
    hours = matrix.contract.hours if matrix.contract else None
    return hours.per if hours else "month"


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(timezone)).astimezone(UTC)


def reports(store: Store, matrix: Matrix, first: Period, last: Period) -> list[HoursReport]:
    """Every period from `first` to `last`, with rollover carried through from the contract's start."""
    contract = matrix.contract
    bank = contract.hours if contract else None
    entries = store.hours_logged(matrix.organisation, None, _local_midnight(last.end, matrix.timezone))
    used = used_by_period(entries, first.per, matrix.timezone)
    bank_statements = (
        {s.period: s for s in statements(bank, used, first, last, contract.start if contract else None)} if bank else {}
    )
    zone = ZoneInfo(matrix.timezone)
    out, period = [], first
    while period <= last:
        per_handoff: dict[int, int] = defaultdict(int)
        for entry in entries:
            if entry.at.astimezone(zone).date() in period:
                per_handoff[entry.handoff] += entry.minutes
        ranked = tuple(sorted(((h, m) for h, m in per_handoff.items() if m > 0), key=lambda hm: (-hm[1], hm[0])))
        out.append(
            HoursReport(
                period,
                bank_statements.get(period),
                used.get(period.start, 0),
                ranked,
                contract.warn_at if contract else None,
            )
        )
        period = period.next()
    return out


def report(store: Store, matrix: Matrix, period: Period | None, now: datetime) -> HoursReport:
    """One period's report: `period`, or the one `now` falls in."""
    period = period or period_of(now.astimezone(ZoneInfo(matrix.timezone)).date(), _per(matrix))
    return reports(store, matrix, period, period)[0]


def burn(store: Store, matrix: Matrix, now: datetime) -> Burn | None:
    """For the weekly digest: the current period, last week's hours and a forecast; None without a bank."""
    if matrix.contract is None or matrix.contract.hours is None:
        return None
    current = report(store, matrix, None, now)
    start, end = week_before(now, matrix.timezone)
    last_week = sum(e.minutes for e in store.hours_logged(matrix.organisation, start, end))
    share = elapsed_share(current.period, now.astimezone(ZoneInfo(matrix.timezone)).date())
    forecast = round(current.used / share / 15) * 15 if share else current.used  # to the quarter hour
    return Burn(current, max(0, last_week), forecast)


def log_hours(
    store: Store, loaded: LoadedMatrix, user: str, handoff_id: int, minutes: int, note: str, now: datetime
) -> Logged:
    """Log (or, with negative minutes, correct) hours on a handoff, as an audit event; the
    thread reply saying so is queued in the outbox, posted after the commit (`logged_posts`)."""
    matrix = loaded.matrix
    require_logger(matrix, user)
    handoff = find(store, loaded, handoff_id)
    total = store.hours_on(matrix.organisation, handoff_id) + minutes
    if total < 0:
        logged = format_hours(total - minutes)
        raise TandemError(
            f"Only {logged} is logged on #{handoff_id}, so {format_hours(-minutes)} cannot come off it: "
            "a correction takes off at most what was logged."
        )
    entry = HoursEntry(handoff_id, minutes, user, now, note)
    store.add_hours(matrix.organisation, entry)
    store.audit(
        matrix.organisation,
        now,
        user,
        "hours.log",
        f"handoff #{handoff_id}",
        {"minutes": minutes, "hours": format_hours(minutes), "total": format_hours(total), "note": note},
    )
    if handoff.channel:  # its thread hears of it once this commits (`hours_key`)
        payload = {"handoff": handoff_id, "minutes": minutes, "by": user, "at": now.isoformat(), "note": note}
        store.enqueue(matrix.organisation, hours_key(handoff_id, user, now), "hours", {**payload, "total": total}, now)
    return Logged(handoff, entry, total, report(store, matrix, None, now))


def logged_posts(logged: Logged) -> list[str]:
    """The outbox key of the thread reply `log_hours` queued, to send after the commit."""
    entry = logged.entry
    return [hours_key(entry.handoff, entry.by, entry.at)] if logged.handoff.channel else []


def asked_on_resolve(deps: Deps, user: str, channel: str | None) -> bool:
    """Whether the resolve form asks this person for hours: the matrix keeps a bank, and they are of
    the provider, whose time it is (an admin of either side can still correct with `/tandem log`)."""
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, user).matrix
    banked = matrix.contract is not None and matrix.contract.hours is not None
    return banked and matrix.side_of(user) == "provider"
