"""What an import changed, in sentences an auditor can read.

The audit log records these lines for every import that changes the matrix, and the
channel announcement quotes them.
"""

from __future__ import annotations

from collections.abc import Sized
from dataclasses import fields

from bot.matrix.model import Matrix

_SETTINGS = (
    "name",
    "timezone",
    "business_hours",
    "channel",
    "holidays",
    "digest_time",
    "digest_quiet",
    "sla",
    "contract",
)


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "(none)"
    return "(none)" if value is None else str(value)


def _keyed_changes(kind: str, old: dict, new: dict) -> list[str]:
    lines = [f"{kind} '{key}' added" for key in new if key not in old]
    lines += [f"{kind} '{key}' removed" for key in old if key not in new]
    for key in new:
        if key in old and old[key] != new[key]:
            for f in fields(new[key]):
                before, after = getattr(old[key], f.name), getattr(new[key], f.name)
                if before != after:
                    lines.append(f"{kind} '{key}' {f.name}: {_show(before)} → {_show(after)}")
    return lines


def _count(items: Sized, one: str, many: str = "") -> str:
    return f"{len(items)} {one if len(items) == 1 else many or one + 's'}"


def changes(old: Matrix | None, new: Matrix) -> list[str]:
    """Every difference between two matrices; empty when they are the same."""
    if old is None:
        counts = (
            f"{_count(new.areas, 'area')}, {_count(new.reviews, 'review')}, {_count(new.people, 'person', 'people')}"
        )
        return [f"matrix for '{new.organisation}' created: {counts}"]
    lines = [f"{name} changed" for name in _SETTINGS if getattr(old, name) != getattr(new, name)]
    lines += _keyed_changes("person", old.people, new.people)
    for side in new.sides:
        before = old.side(side.key)
        if before and (before.name, before.groups) != (side.name, side.groups):
            lines.append(f"side '{side.key}' name or groups changed")
    lines += _keyed_changes("area", old.areas_by_key, new.areas_by_key)
    lines += _keyed_changes("review", {r.key: r for r in old.reviews}, {r.key: r for r in new.reviews})
    lines += _keyed_changes("rota", old.rotas_by_key, new.rotas_by_key)
    if not lines and old != new:
        lines.append("order of entries changed")
    return lines
