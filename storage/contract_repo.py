"""The `contract:` section in the database: written with the matrix, read back equal to it."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.contract.model import Contract, HoursBank, Money, format_hours, parse_hours
from bot.matrix.durations import Duration
from storage import contract_models as orm


def _terms(contract: Contract) -> dict[str, Any]:
    hours = contract.hours
    return {
        "hours": {
            "bank": format_hours(hours.bank),
            "per": hours.per,
            "rollover": format_hours(hours.rollover) if hours.rollover else None,
            "overage_rate": hours.overage_rate.text if hours.overage_rate else None,
        }
        if hours
        else None,
        "scope": list(contract.scope),
        "approver": list(contract.approver),
        "warn_at": contract.warn_at,
        "review": contract.review.text,
        "start": contract.start.isoformat() if contract.start else None,
    }


def _contract(terms: dict[str, Any]) -> Contract:
    hours = terms.get("hours")
    return Contract(
        hours=HoursBank(
            bank=parse_hours(hours["bank"]),
            per=hours["per"],
            rollover=parse_hours(hours["rollover"]) if hours.get("rollover") else 0,
            overage_rate=Money.parse(hours["overage_rate"]) if hours.get("overage_rate") else None,
        )
        if hours
        else None,
        scope=tuple(terms.get("scope") or ()),
        approver=tuple(terms.get("approver") or ()),
        warn_at=terms.get("warn_at"),
        review=Duration.parse(terms["review"]),
        start=date.fromisoformat(terms["start"]) if terms.get("start") else None,
    )


def save(session: Session, org_id: int, contract: Contract | None) -> None:
    session.execute(delete(orm.Contract).where(orm.Contract.organisation_id == org_id))
    if contract is not None:
        session.add(orm.Contract(organisation_id=org_id, terms=_terms(contract)))


def load(session: Session, org_id: int) -> Contract | None:
    terms = session.scalar(select(orm.Contract.terms).where(orm.Contract.organisation_id == org_id))
    return _contract(terms) if terms is not None else None
