"""The matrix in the database: write a `Matrix` as rows, read rows back as a `Matrix`.

Reading back gives a value equal to what was written, which is what makes re-imports
idempotent: the service compares the stored matrix with the file's and writes only when
they differ.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import time

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.orm import Session, selectinload

from bot.calendar import format_days, parse_days
from bot.contract.model import Contract
from bot.matrix import model
from bot.matrix.durations import Duration
from bot.matrix.model import PARTY_FIELDS
from storage import contract_repo
from storage import models as orm
from storage.sql import versions_moved


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _time(text: str) -> time:
    return time.fromisoformat(text)


def _duration(text: str | None) -> Duration | None:
    return Duration.parse(text) if text else None


def organisation_keys(session: Session) -> list[str]:
    return list(session.scalars(select(orm.Organisation.key).order_by(orm.Organisation.key)))


def provider_teams(session: Session) -> dict[str, tuple[str, ...]]:
    """Each organisation's `sides.provider.teams` (empty without a provider side), in one query."""
    side = orm.Side
    query = select(orm.Organisation.key, side.teams).outerjoin(
        side, (side.organisation_id == orm.Organisation.id) & (side.key == "provider")
    )
    return {key: tuple(teams or ()) for key, teams in session.execute(query)}


def matrix_fingerprint(session: Session, org_key: str) -> str | None:
    return session.scalar(select(orm.Organisation.matrix_fingerprint).where(orm.Organisation.key == org_key))


def matrix_version(session: Session | Connection, org_key: str) -> int | None:
    """Through a session, or a plain connection for `storage.quick`."""
    return session.scalar(select(orm.Organisation.matrix_version).where(orm.Organisation.key == org_key))


_ORGS_OF_USER = (
    select(orm.Organisation.key)
    .join(orm.Person, orm.Person.organisation_id == orm.Organisation.id)
    .where(orm.Person.slack_id == bindparam("user"))
    .distinct()
)


def organisations_of(session: Session | Connection, user: str) -> list[str]:
    """The organisations whose matrix lists `user`, by key; through a session, or a plain
    connection for `storage.quick`."""
    return sorted(session.scalars(_ORGS_OF_USER, {"user": user}))


def matrix_versions(session: Session) -> dict[str, int]:
    rows = session.execute(select(orm.Organisation.key, orm.Organisation.matrix_version))
    return {key: version for key, version in rows}


def load_matrix(session: Session, org_key: str) -> model.Matrix | None:
    org = session.scalar(
        select(orm.Organisation)
        .where(orm.Organisation.key == org_key)
        .options(
            selectinload(orm.Organisation.sides).selectinload(orm.Side.people),
            selectinload(orm.Organisation.sides).selectinload(orm.Side.groups),
            selectinload(orm.Organisation.sla_targets),
            selectinload(orm.Organisation.reviews),
            selectinload(orm.Organisation.rotas),
            selectinload(orm.Organisation.holidays),
        )
    )
    return _to_domain(org, _areas(session, org.id), contract_repo.load(session, org.id)) if org else None


_A, _ALIAS, _ROLE = orm.Area, orm.AreaAlias, orm.AreaRole


def _areas(session: Session, org_id: int) -> tuple[model.Area, ...]:
    """The areas as plain rows: tens of thousands of ORM objects cost most of a cold start."""
    in_org = _A.organisation_id == org_id
    aliases: dict[int, list[str]] = defaultdict(list)
    for area_id, alias in session.execute(
        select(_ALIAS.area_id, _ALIAS.alias)
        .join(_A, _A.id == _ALIAS.area_id)
        .where(in_org)
        .order_by(_ALIAS.position, _ALIAS.id)
    ):
        aliases[area_id].append(alias)
    roles: dict[int, dict[str, list[str]]] = defaultdict(lambda: {f: [] for f in PARTY_FIELDS})
    for area_id, role, party in session.execute(
        select(_ROLE.area_id, _ROLE.role, _ROLE.party)
        .join(_A, _A.id == _ROLE.area_id)
        .where(in_org)
        .order_by(_ROLE.position, _ROLE.id)
    ):
        roles[area_id][role].append(party)
    columns = (_A.id, _A.key, _A.name, _A.lead, _A.coverage, _A.priority, _A.notes)
    return tuple(
        model.Area(
            key=key,
            name=name,
            aliases=tuple(aliases.get(area_id, ())),
            lead=lead,
            coverage=coverage,
            priority=priority,
            notes=notes,
            **{f: tuple(v) for f, v in roles[area_id].items()},
        )
        for area_id, key, name, lead, coverage, priority, notes in session.execute(
            select(*columns).where(in_org).order_by(_A.position, _A.id)
        )
    )


def _to_domain(org: orm.Organisation, areas: tuple[model.Area, ...], contract: Contract | None) -> model.Matrix:
    sides = tuple(
        model.Side(
            key=s.key,
            name=s.name,
            people=tuple(model.Person(p.slack_id, p.name, s.key, p.admin) for p in s.people),
            groups=tuple((g.name, tuple(g.members)) for g in s.groups),
            teams=tuple(s.teams),
        )
        for s in org.sides
    )
    return model.Matrix(
        organisation=org.key,
        name=org.name,
        timezone=org.timezone,
        business_hours=(
            model.BusinessHours(parse_days(org.business_days), _time(org.business_start), _time(org.business_end)),
            *(model.BusinessHours(parse_days(d), _time(s), _time(e)) for d, s, e in org.business_hours_more),
        ),
        channel=org.channel,
        sides=sides,
        sla=model.SlaPolicy(
            targets=tuple(
                model.SlaTarget(t.priority, Duration.parse(t.respond), Duration.parse(t.resolve), t.clock)
                for t in org.sla_targets
            ),
            default=org.sla_default,
            warn_at=tuple(org.sla_warn_at),
        ),
        areas=areas,
        reviews=tuple(
            model.Review(
                r.key,
                r.name,
                r.schedule,
                r.owner,
                _duration(r.remind_before),
                r.area_key,
                _duration(r.grace),
                r.reference,
            )
            for r in org.reviews
        ),
        holidays=tuple(h.day for h in org.holidays),
        digest_time=_time(org.digest_time),
        digest_quiet=org.digest_quiet,
        contract=contract,
        rotas=tuple(
            model.Rota(
                r.key,
                r.name,
                tuple(r.people),
                model.Handover(r.every_days, _time(r.handover_at), r.start, r.weekday),
            )
            for r in org.rotas
        ),
        team=org.team,
    )


def save_matrix(session: Session, matrix: model.Matrix, when) -> orm.Organisation:
    """Replace the organisation's matrix rows with `matrix` (leave, audit and handoffs stay)."""
    org = session.scalar(select(orm.Organisation).where(orm.Organisation.key == matrix.organisation))
    if org is None:
        org = orm.Organisation(key=matrix.organisation, matrix_version=0)
        session.add(org)
    else:
        for table in (
            orm.Side,
            orm.Area,
            orm.SlaTarget,
            orm.Review,
            orm.Rota,
            orm.Holiday,
            orm.Person,
            orm.OrganisationTeam,
        ):
            session.execute(delete(table).where(table.organisation_id == org.id))
        session.expire(org)
    first, *more = matrix.business_hours
    org.name, org.timezone, org.channel, org.team = matrix.name, matrix.timezone, matrix.channel, matrix.team
    org.business_days, org.business_start, org.business_end = (
        format_days(first.days),
        _hhmm(first.start),
        _hhmm(first.end),
    )
    org.business_hours_more = [[format_days(h.days), _hhmm(h.start), _hhmm(h.end)] for h in more]
    org.digest_time, org.digest_quiet = _hhmm(matrix.digest_time), matrix.digest_quiet
    org.sla_default, org.sla_warn_at = matrix.sla.default, list(matrix.sla.warn_at)
    org.matrix_version = (org.matrix_version or 0) + 1
    versions_moved(session)
    org.matrix_fingerprint = matrix.fingerprint()
    org.imported_at = when
    session.flush()
    _insert_rows(session, org.id, matrix)
    contract_repo.save(session, org.id, matrix.contract)
    return org


def _insert_rows(session: Session, org_id: int, matrix: model.Matrix) -> None:
    """Bulk inserts (executemany, ids back by RETURNING): ten thousand areas load in about a second."""
    for position, side in enumerate(matrix.sides):
        side_id = session.execute(
            insert(orm.Side).returning(orm.Side.id),
            {
                "organisation_id": org_id,
                "key": side.key,
                "name": side.name,
                "position": position,
                "teams": list(side.teams),
            },
        ).scalar_one()
        _bulk(
            session,
            orm.Person,
            [
                {
                    "organisation_id": org_id,
                    "side_id": side_id,
                    "slack_id": p.slack,
                    "name": p.name,
                    "admin": p.admin,
                    "position": i,
                }
                for i, p in enumerate(side.people)
            ],
        )
        _bulk(
            session,
            orm.Group,
            [
                {"side_id": side_id, "name": n, "members": list(m), "position": i}
                for i, (n, m) in enumerate(side.groups)
            ],
        )
    _bulk(
        session,
        orm.SlaTarget,
        [
            {
                "organisation_id": org_id,
                "priority": t.priority,
                "respond": t.respond.text,
                "resolve": t.resolve.text,
                "clock": t.clock,
            }
            for t in matrix.sla.targets
        ],
    )
    _bulk(session, orm.Holiday, [{"organisation_id": org_id, "day": d} for d in matrix.holidays])
    _bulk(session, orm.OrganisationTeam, [{"organisation_id": org_id, "team": t} for t in sorted(matrix.teams)])
    if matrix.areas:
        _bulk(
            session,
            orm.Area,
            [
                {
                    "organisation_id": org_id,
                    "key": a.key,
                    "name": a.name,
                    "lead": a.lead,
                    "coverage": a.coverage,
                    "priority": a.priority,
                    "notes": a.notes,
                    "position": i,
                }
                for i, a in enumerate(matrix.areas)
            ],
        )
        # Ids read back by key in one query: RETURNING in parameter order sent SQLite one
        # statement per row and cost PostgreSQL seconds of result splicing at 10,000 areas.
        ids = {key: id_ for key, id_ in session.execute(select(_A.key, _A.id).where(_A.organisation_id == org_id))}
        area_ids = [ids[a.key] for a in matrix.areas]
        _bulk(
            session,
            orm.AreaAlias,
            [
                {"area_id": area_id, "alias": alias, "position": i}
                for area_id, area in zip(area_ids, matrix.areas, strict=False)
                for i, alias in enumerate(area.aliases)
            ],
        )
        _bulk(
            session,
            orm.AreaRole,
            [
                {"area_id": area_id, "role": f, "party": party, "position": i}
                for area_id, area in zip(area_ids, matrix.areas, strict=False)
                for f in PARTY_FIELDS
                for i, party in enumerate(getattr(area, f))
            ],
        )
    _bulk(
        session,
        orm.Review,
        [
            {
                "organisation_id": org_id,
                "key": r.key,
                "name": r.name,
                "schedule": r.schedule,
                "owner": r.owner,
                "remind_before": r.remind_before.text if r.remind_before else None,
                "area_key": r.area,
                "grace": r.grace.text if r.grace else None,
                "reference": r.reference,
                "position": i,
            }
            for i, r in enumerate(matrix.reviews)
        ],
    )
    _bulk(
        session,
        orm.Rota,
        [
            {
                "organisation_id": org_id,
                "key": r.key,
                "name": r.name,
                "people": list(r.people),
                "every_days": r.handover.every,
                "handover_at": _hhmm(r.handover.at),
                "weekday": r.handover.weekday,
                "start": r.handover.start,
                "position": i,
            }
            for i, r in enumerate(matrix.rotas)
        ],
    )


def _bulk(session: Session, model, rows: list[dict]) -> None:
    """Core executemany on the table: the ORM's bulk insert splits the rows into a batch each
    time the set of None columns changes (thousands of statements for areas with optional fields)."""
    if rows:
        session.execute(insert(model.__table__), rows)
