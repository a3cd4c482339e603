"""A `Ping` as JSON and back: who a new handoff pinged is decided when it opens, and the thread
reply that says so is posted after the commit, possibly by another process after a restart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.ownership.cover import LeavePeriod, StandIn
from bot.ownership.duty import Duty, Fallback, Ping


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ping_json(ping: Ping) -> dict[str, Any]:
    duty, fallback = ping.duty, ping.duty.fallback
    return {
        "urgent": list(ping.urgent),
        "at": duty.at.isoformat(),
        "in_hours": duty.in_hours,
        "closed": duty.closed,
        "parties": list(duty.parties),
        "people": list(duty.people),
        "away": [
            {
                "person": s.period.person,
                "starts_at": s.period.starts_at.isoformat(),
                "ends_at": s.period.ends_at.isoformat(),
                "cover": s.period.cover,
                "id": s.period.id,
                "chain": list(s.chain),
                "by": s.by,
            }
            for s in duty.away
        ],
        "next_open": _iso(duty.next_open),
        "side": duty.side,
        "reason": duty.reason,
        "fallback": None
        if fallback is None
        else {
            "kind": fallback.kind,
            "people": list(fallback.people),
            "side": fallback.side,
            "holders": list(fallback.holders),
        },
    }


def ping_from_json(data: dict[str, Any]) -> Ping:
    fallback = data["fallback"]
    away = tuple(
        StandIn(
            LeavePeriod(
                a["person"],
                datetime.fromisoformat(a["starts_at"]),
                datetime.fromisoformat(a["ends_at"]),
                a["cover"],
                a["id"],
            ),
            tuple(a["chain"]),
            a["by"],
        )
        for a in data["away"]
    )
    duty = Duty(
        at=datetime.fromisoformat(data["at"]),
        in_hours=data["in_hours"],
        closed=data["closed"],
        parties=tuple(data["parties"]),
        people=tuple(data["people"]),
        away=away,
        next_open=_at(data["next_open"]),
        side=data["side"],
        reason=data["reason"],
        fallback=None
        if fallback is None
        else Fallback(fallback["kind"], tuple(fallback["people"]), fallback["side"], tuple(fallback["holders"])),
    )
    return Ping(duty, tuple(data["urgent"]))
