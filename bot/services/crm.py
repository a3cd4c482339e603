"""The customer responsibility matrix from the store: the matrix and who confirmed each area."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.matrix import crm
from bot.matrix.model import Matrix
from bot.ports import Store
from bot.services.signoff import confirmed_texts


def responsibility_matrix(store: Store, matrix: Matrix, fmt: str, now: datetime) -> str:
    """`tandem matrix export --format csv|markdown`."""
    confirmed = confirmed_texts(store, matrix, now, with_ids=fmt == "csv")
    if fmt == "csv":
        return crm.to_csv(matrix, confirmed)
    exported = f"{now.astimezone(ZoneInfo(matrix.timezone)):%Y-%m-%d %H:%M %Z}"
    return crm.to_markdown(matrix, confirmed, exported)
