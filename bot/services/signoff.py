"""The matrix both sides sign, from the store: change sets recorded on import, confirmed by
one admin of each side, and every area's state for `/owner`, `/tandem matrix`, the exports,
the gap audit and the digest.

What an import records is in `bot.services.changes`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.contract.signoff import (
    EVERY_AREA,
    AreaSignoff,
    ChangeSet,
    Refused,
    area_signoffs,
    confirm,
    signoff_gaps,
)
from bot.errors import TandemError, Who
from bot.matrix import rights
from bot.matrix.audit import Gap, find_gaps
from bot.matrix.model import Matrix
from bot.ownership.duty import business_calendar
from bot.ports import Notifier, Store
from bot.services.changes import outbox_key
from bot.services.deps import Deps


def signoffs(store: Store, matrix: Matrix, now: datetime) -> dict[str, AreaSignoff]:
    """Every area's sign-off now."""
    return area_signoffs(matrix, store.change_sets(matrix.organisation), now)


def signoff_gaps_now(store: Store, matrix: Matrix, now: datetime) -> tuple[Gap, ...]:
    """Changes unconfirmed for over three working days, and stale areas."""
    return tuple(signoff_gaps(matrix, signoffs(store, matrix, now), business_calendar(matrix), now))


def gaps(store: Store, matrix: Matrix, now: datetime) -> list[Gap]:
    """The gap audit: the matrix's own gaps, then unconfirmed changes and stale areas."""
    return find_gaps(matrix) + list(signoff_gaps_now(store, matrix, now))


def _confirm(store: Store, matrix: Matrix, change: ChangeSet, user: str, now: datetime) -> ChangeSet:
    confirmed = confirm(change, user, now, matrix)
    side = matrix.people[user].side
    if not store.confirm_change_set(change.number, side, user, now):  # another admin of the side got there first
        fresh = store.get_change_set(matrix.organisation, change.number) or change
        confirm(fresh, user, now, matrix)  # raises the refusal naming who did
    store.audit(
        matrix.organisation,
        now,
        user,
        "matrix.confirm",
        f"matrix change #{change.number}",
        {
            "side": side,
            "areas": list(change.areas),
            "changes": list(change.lines),
            "both_sides": confirmed.confirmed_at is not None,
        },
    )
    return confirmed


def press(deps: Deps, number: int, user: str, channel: str | None, where: tuple[str, str] | None = None) -> ChangeSet:
    """Confirm, pressed on a change's message (`where`, when known) or in the console."""
    now = deps.clock.now()
    with deps.units() as store:
        matrix = deps.matrices.for_request(store, channel, user).matrix
        change = store.get_change_set(matrix.organisation, number, lock=True)
        if change is None:
            raise TandemError(f"There is no matrix change #{number} in {matrix.name}.")
        confirmed = _confirm(store, matrix, change, user, now)
        where = where or store.change_set_message(matrix.organisation, number, outbox_key(matrix.organisation, number))
    deps.notifier.signoff_confirmed(matrix, confirmed, user, where)
    return confirmed


@dataclass(frozen=True)
class Confirmed:
    """What `/tandem confirm` did: the changes it confirmed for the side, or the re-confirmation it opened."""

    confirmed: tuple[ChangeSet, ...]
    opened: ChangeSet | None


def confirm_now(store: Store, matrix: Matrix, user: str, now: datetime, notifier: Notifier) -> Confirmed:
    """`/tandem confirm`: an admin confirms for their side every change still waiting for it;
    with none waiting, it opens a re-confirmation of every area, confirmed for their side."""
    person = rights.require_admin(matrix, user, "confirm the matrix")
    if not matrix.channel:
        raise TandemError(f"The matrix of {matrix.name} names no shared channel to confirm it in.")
    changes = store.change_sets(matrix.organisation)
    waiting = [c for c in changes if c.confirmed_at is None and c.side(person.side) is None]
    if waiting:
        done = []
        for change in waiting:
            confirmed = _confirm(store, matrix, change, user, now)
            key = outbox_key(matrix.organisation, change.number)
            where = store.change_set_message(matrix.organisation, change.number, key)
            if where is None and confirmed.confirmed_at is None:  # never posted: the other side hears now
                where = notifier.signoff_requested(matrix, confirmed, None)
                store.place_change_set(change.number, *where)
            else:
                notifier.signoff_confirmed(matrix, confirmed, user, where)
            done.append(confirmed)
        return Confirmed(tuple(done), None)
    for change in changes:
        mark = change.side(person.side)
        if change.confirmed_at is None and change.is_review and mark is not None:
            raise Refused(
                Who(mark.by),
                " already confirmed the matrix for your side: it waits for an admin of the other side to confirm it.",
            )
    change = ChangeSet(None, matrix.organisation, now, user, tuple(a.key for a in matrix.areas), (EVERY_AREA,))
    change = replace(change, id=store.add_change_set(change))
    change = _confirm(store, matrix, change, user, now)
    channel, ts = notifier.signoff_requested(matrix, change, None)
    store.place_change_set(change.number, channel, ts)
    return Confirmed((), change)


def confirmed_texts(store: Store, matrix: Matrix, now: datetime, with_ids: bool) -> dict[str, str]:
    """Each confirmed area's "2026-12-02 by Alice Moss and Priya Shah", for the exports."""
    zone = ZoneInfo(matrix.timezone)

    def name(slack: str) -> str:
        person = matrix.people.get(slack)
        if person is None:
            return slack
        return f"{person.name} ({slack})" if with_ids else person.name

    out = {}
    for key, state in signoffs(store, matrix, now).items():
        if state.confirmed_at is not None and state.confirmed_by is not None:
            internal, provider = state.confirmed_by
            text = f"{state.confirmed_at.astimezone(zone):%Y-%m-%d} by {name(internal)} and {name(provider)}"
            out[key] = text + (" (stale)" if state.stale else "")
    return out
