"""`/tandem rota [KEY]`: who is on each rota now and at the next handovers, leave and cover applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import TandemError
from bot.matrix.model import PARTY_FIELDS, Matrix, Rota
from bot.ownership.cover import Absences, StandIn
from bot.ownership.rota import Turn, turns
from bot.ports import Store

AHEAD = 4  # handovers shown after the turn under way


@dataclass(frozen=True)
class Shift:
    """One turn, and who stands in when its person is away as it begins (or, for the turn
    under way, now)."""

    turn: Turn
    stand_in: StandIn | None


@dataclass(frozen=True)
class RotaNow:
    rota: Rota
    shifts: tuple[Shift, ...]  # the turn under way, then the next AHEAD
    used_by: tuple[str, ...]  # where the matrix names it: "helpdesk after_hours", "review restore-test"


def used_by(matrix: Matrix, rota: Rota) -> tuple[str, ...]:
    places = [
        f"{area.name} ({field.replace('_', ' ')})"
        for area in matrix.areas
        for field in PARTY_FIELDS
        if rota.ref in getattr(area, field)
    ]
    places += [f"review {review.name}" for review in matrix.reviews if review.owner == rota.ref]
    return tuple(places)


def show(store: Store, matrix: Matrix, key: str, now: datetime) -> list[RotaNow]:
    """Every rota (or the one `key` names) with its turn under way and the next handovers."""
    if not matrix.rotas:
        raise TandemError(
            f"The matrix of {matrix.name} has no rotas: add a 'rotas:' section (see Rotas in the README) and import it."
        )
    chosen = matrix.rotas
    if key:
        rota = matrix.rota(key.strip().lower())
        if rota is None:
            known = ", ".join(r.key for r in matrix.rotas)
            raise TandemError(f"There is no rota '{key.strip()}' in the matrix of {matrix.name}: rotas: {known}.")
        chosen = (rota,)
    answers = []
    for rota in chosen:
        ahead = turns(rota, matrix.timezone, now, AHEAD)
        leave = store.leave_overlapping(matrix.organisation, now, ahead[-1].ends_at)
        shifts = tuple(Shift(turn, Absences(leave, max(now, turn.starts_at)).explain(turn.person)) for turn in ahead)
        answers.append(RotaNow(rota, shifts, used_by(matrix, rota)))
    return answers
