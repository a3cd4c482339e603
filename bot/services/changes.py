"""What an import records for the matrix sign-off: the change to who owns what, queued for
its Confirm post.

The post goes through the scheduler's outbox, so it is made once whether the file came in
through `tandem matrix import`, at start or on any replica; a matrix's first import is
recorded but not announced (there is nothing to compare with): both sides confirm it with
`/tandem confirm`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.contract.signoff import EVERY_AREA, ChangeSet, ownership_changed
from bot.matrix.model import Matrix
from bot.ports import Store

OUTBOX_KIND = "signoff"


def outbox_key(org_key: str, change_id: int) -> str:
    return f"signoff:{org_key}:{change_id}"


def record_import(
    store: Store, old: Matrix | None, new: Matrix, actor: str, now: datetime, lines: list[str]
) -> ChangeSet | None:
    """Record what an import changed in who owns what, and have it posted for confirmation."""
    areas = ownership_changed(old, new)
    if not areas:
        return None
    if old is None:  # a first import: both sides confirm every area as it stands
        lines = [EVERY_AREA]
    else:
        prefixes = tuple(f"area '{key}'" for key in areas)
        removed = tuple(line for line in lines if line.startswith("area '") and line.endswith("' removed"))
        lines = [line for line in lines if line.startswith(prefixes)] + list(removed)
    change = ChangeSet(None, new.organisation, now, actor, areas, tuple(lines))
    change = replace(change, id=store.add_change_set(change))
    if old is not None and new.channel:
        store.enqueue(
            new.organisation, outbox_key(new.organisation, change.number), OUTBOX_KIND, {"change": change.id}, now
        )
    return change
