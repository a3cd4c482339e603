"""Loading matrices into the database and keeping a per-process copy ready to answer.

The cache is keyed by the organisation's matrix version, so a replica notices another
replica's import on its next request without any messaging between them. A matrix is
loaded on its organisation's first request in each process, not at boot: a worker's start
and memory do not grow with the number of organisations it might serve.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from bot.contract.scope import ScopeIndex
from bot.errors import TandemError, UnknownOrganisation, listing
from bot.matrix.diff import changes
from bot.matrix.model import Area, Matrix
from bot.outbox import held_for
from bot.ownership.resolve import AreaIndex
from bot.ports import Store
from bot.services.changes import record_import
from bot.services.timers import reschedule_handoffs, sync_timers


@dataclass(frozen=True)
class LoadedMatrix:
    version: int
    matrix: Matrix
    index: AreaIndex
    scope: ScopeIndex  # the contract's scope of work (no limit when it names none)


SHOWN = 5  # organisations named when a request could belong to several


class MatrixCache:
    def __init__(self) -> None:
        self._loaded: dict[str, LoadedMatrix] = {}
        self._lock = threading.Lock()

    def get(self, store: Store, org_key: str, version: int | None = None) -> LoadedMatrix:
        """The organisation's matrix, reloaded only when its version moved on (any replica's import)."""
        version = version if version is not None else store.matrix_version(org_key)
        if version is None:
            raise UnknownOrganisation(f"No matrix is loaded for '{org_key}'. Load one with: tandem matrix import FILE")
        loaded = self._loaded.get(org_key)
        if loaded is None or loaded.version != version:
            matrix = store.load_matrix(org_key)
            if matrix is None:  # removed since its version was read
                raise UnknownOrganisation(
                    f"No matrix is loaded for '{org_key}'. Load one with: tandem matrix import FILE"
                )
            scope = ScopeIndex(matrix.contract.scope if matrix.contract else ())
            loaded = LoadedMatrix(version, matrix, AreaIndex(matrix.areas), scope)
            with self._lock:
                self._loaded[org_key] = loaded
        return loaded

    def for_request(self, store: Store, channel: str | None, user: str | None, team: str | None = None) -> LoadedMatrix:
        """The matrix of the channel the request came from, else of its user's organisation,
        within what the installation's workspace `team` may reach."""
        found = store.locate(channel, user, team)
        if found is None:
            if not store.organisation_keys():
                raise UnknownOrganisation("No matrix is loaded yet. An admin loads one with: tandem matrix import FILE")
            mine = store.organisations_of(user) if user else []
            if len(mine) > 1:  # a provider's engineer is in every client's matrix
                names = [self.get(store, key).matrix.name for key in mine[:SHOWN]]
                more = f" and {len(mine) - SHOWN} more" if len(mine) > SHOWN else ""
                raise UnknownOrganisation(
                    f"You are in the matrices of {len(mine)} organisations ({', '.join(names)}{more}), and this "
                    "is not the shared channel of one of them: ask there, in the channel of the one you mean."
                )
            raise UnknownOrganisation(
                "This channel is not linked to an organisation and you are not listed in any matrix. "
                "Ask in the shared channel, or ask an admin to add you to the matrix."
            )
        return self.get(store, *found)

    def home_channel(self, store: Store, user: str, team: str | None = None) -> str | None:
        """The shared channel of the user's organisation: where to answer when a modal has no channel."""
        org = store.organisation_for(None, user, team)
        return self.get(store, org).matrix.channel if org else None

    def refresh(self, store: Store) -> None:
        """Reload the matrices held here whose version moved on; forget removed organisations."""
        versions = store.matrix_versions()
        for org_key, loaded in list(self._loaded.items()):
            version = versions.get(org_key)
            if version is None:
                with self._lock:
                    self._loaded.pop(org_key, None)
            elif version != loaded.version:
                self.get(store, org_key, version)


def admit(matrix: Matrix, user: str, actor_team: str | None, team: str | None) -> None:
    """Refuse, naming the admins, someone from another workspace whom the matrix does not list.

    Across a Slack Connect channel anyone in the other organisation can press Tandem's
    buttons; only the people the matrix lists act for either side. Someone from the
    installation's own workspace, or the one the matrix lives in, is not refused here."""
    if user in matrix.people or not actor_team or actor_team in {team, matrix.team}:
        return
    admins = [p.slack for p in matrix.admins()]
    raise TandemError(
        f"You reached {matrix.name}'s channel from another workspace, and its matrix does not list you, "
        "so Tandem did not act. Ask an admin to add you under sides: ",
        *listing(admins, "an admin of the matrix"),
        ".",
    )


def area_named(loaded: LoadedMatrix, words: str) -> Area:
    """The one area `words` names (`/tandem matrix network`), or a sentence naming the candidates."""
    resolution = loaded.index.resolve(words)
    if resolution.area is not None:
        return resolution.area
    keys = ", ".join(m.area.key for m in resolution.matches)
    if resolution.status == "ambiguous":
        raise TandemError(
            f"'{words}' could mean more than one area ({keys}): say which, e.g. /tandem matrix {keys.split(',')[0]}"
        )
    closest = f" Closest: {keys}." if keys else ""
    raise TandemError(f"No area of the matrix matches '{words}'.{closest} `/tandem matrix` lists every area.")


def import_matrix(store: Store, matrix: Matrix, actor: str, now: datetime) -> list[str]:
    """Store `matrix` if it differs from what is loaded; return what changed (empty: nothing)."""
    store.serialise_imports()
    if store.matrix_fingerprint(matrix.organisation) == matrix.fingerprint():
        return []  # the same file again: nothing to read back, nothing to write
    current = store.load_matrix(matrix.organisation) if store.matrix_version(matrix.organisation) else None
    if current == matrix:
        return []
    lines = changes(current, matrix)
    store.save_matrix(matrix, now)
    sync_timers(store, matrix, now)
    if current is not None and _clock_rules(current) != _clock_rules(matrix):
        reschedule_handoffs(store, matrix, now)
    if current is not None and current.team != matrix.team:
        # Posts held for the workspace it named (or for naming none) go to the one it names now.
        store.release(held_for(current.team), matrix.organisation)
    store.audit(matrix.organisation, now, actor, "matrix.import", matrix.organisation, {"changes": lines})
    record_import(store, current, matrix, actor, now, lines)
    return lines


def _clock_rules(matrix: Matrix) -> tuple:
    """What open handoffs' SLA clocks depend on."""
    return matrix.sla, matrix.timezone, matrix.business_hours, matrix.holidays
