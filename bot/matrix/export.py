"""Write a `Matrix` back as a matrix file that imports to the same matrix.

The layout follows the documented format (people and business hours in flow style,
areas in block style) so an exported file reads like a hand-written one.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bot.calendar import format_days
from bot.contract.model import DEFAULT_REVIEW, Contract, format_hours
from bot.matrix.model import CLOCK_BUSINESS, PARTY_FIELDS, Area, Matrix, Review, Rota

# Fields that usually name one party, written as a scalar when they do.
_SINGLE = ("responsible", "accountable", "after_hours")


def _flow(mapping: dict) -> CommentedMap:
    node = CommentedMap(mapping)
    node.fa.set_flow_style()
    return node


def _flow_list(items) -> CommentedSeq:
    node = CommentedSeq(items)
    node.fa.set_flow_style()
    return node


def _parties(refs: tuple[str, ...]):
    return refs[0] if len(refs) == 1 else _flow_list(list(refs))


def _area(area: Area, confirmed: str | None) -> CommentedMap:
    out = CommentedMap(key=area.key, name=area.name)
    if confirmed:  # a comment, so the file still imports to the same matrix
        out.yaml_add_eol_comment(f"last confirmed {confirmed}", "key")
    if area.aliases:
        out["aliases"] = _flow_list(list(area.aliases))
    for field in PARTY_FIELDS:
        refs = getattr(area, field)
        if refs:
            out[field] = _parties(refs) if field in _SINGLE else _flow_list(list(refs))
    for field in ("lead", "priority", "notes"):
        if getattr(area, field):
            out[field] = getattr(area, field)
    if area.coverage != CLOCK_BUSINESS:
        out["coverage"] = area.coverage
    return out


def _rota(rota: Rota) -> CommentedMap:
    handover = rota.handover
    return CommentedMap(
        key=rota.key,
        name=rota.name,
        people=_flow_list(list(rota.people)),
        handover=_flow({"every": handover.every_text, "at": handover.at_text, "start": handover.start.isoformat()}),
    )


def _review(review: Review) -> CommentedMap:
    out = CommentedMap(key=review.key, name=review.name, schedule=review.schedule)
    for field in ("owner", "area", "reference"):
        if getattr(review, field):
            out[field] = getattr(review, field)
    for field in ("remind_before", "grace"):
        if getattr(review, field):
            out[field] = getattr(review, field).text
    return out


def _contract(contract: Contract) -> CommentedMap:
    out = CommentedMap()
    if contract.hours:
        bank = contract.hours
        out["hours"] = _flow(
            {
                "bank": format_hours(bank.bank),
                "per": bank.per,
                **({"rollover": format_hours(bank.rollover)} if bank.rollover else {}),
                **({"overage_rate": bank.overage_rate.text} if bank.overage_rate else {}),
            }
        )
    if contract.scope:
        out["scope"] = _flow_list(list(contract.scope))
    if contract.approver:
        out["approver"] = _parties(contract.approver)
    if contract.warn_at is not None:
        out["warn_at"] = f"{contract.warn_at}%"
    if contract.review != DEFAULT_REVIEW:
        out["review"] = contract.review.text
    if contract.start:
        out["start"] = contract.start.isoformat()
    return out


def export_text(matrix: Matrix, confirmed: Mapping[str, str] | None = None) -> str:
    """The matrix as its file; `confirmed`: each area's "DATE by A and B", written as a comment."""
    confirmed = confirmed or {}
    doc = CommentedMap()
    doc["organisation"] = matrix.organisation
    doc["name"] = matrix.name
    doc["timezone"] = matrix.timezone
    hours = [
        _flow({"days": format_days(h.days), "start": h.start.strftime("%H:%M"), "end": h.end.strftime("%H:%M")})
        for h in matrix.business_hours
    ]
    doc["business_hours"] = hours[0] if len(hours) == 1 else CommentedSeq(hours)
    doc["holidays"] = _flow_list([d.isoformat() for d in matrix.holidays])
    if matrix.channel:
        doc["channel"] = matrix.channel
    if matrix.team:
        doc["team"] = matrix.team
    quiet = {"quiet": matrix.digest_quiet} if matrix.digest_quiet != "post" else {}
    doc["digest"] = _flow({"time": matrix.digest_time.strftime("%H:%M"), **quiet})
    sides = CommentedMap()
    for side in matrix.sides:
        people = CommentedSeq(
            [_flow({"slack": p.slack, "name": p.name, **({"admin": True} if p.admin else {})}) for p in side.people]
        )
        entry = CommentedMap(name=side.name, people=people)
        if side.groups:
            entry["groups"] = CommentedMap({name: _flow_list(list(members)) for name, members in side.groups})
        if side.teams:
            entry["teams"] = _flow_list(list(side.teams))
        sides[side.key] = entry
    doc["sides"] = sides
    if matrix.rotas:
        doc["rotas"] = CommentedSeq([_rota(r) for r in matrix.rotas])
    sla = CommentedMap()
    for target in matrix.sla.targets:
        sla[target.priority] = _flow(
            {
                "respond": target.respond.text,
                "resolve": target.resolve.text,
                **({"clock": target.clock} if target.clock != CLOCK_BUSINESS else {}),
            }
        )
    sla["default"] = matrix.sla.default
    sla["warn_at"] = _flow_list([f"{p}%" for p in matrix.sla.warn_at])
    doc["sla"] = sla
    doc["areas"] = CommentedSeq([_area(a, confirmed.get(a.key)) for a in matrix.areas])
    doc["reviews"] = CommentedSeq([_review(r) for r in matrix.reviews])
    if matrix.contract is not None:
        doc["contract"] = _contract(matrix.contract)
    yaml = YAML()
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()
