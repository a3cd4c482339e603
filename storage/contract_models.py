"""Tables of the contract inside the bot: the `contract:` section as imported.

Kept beside `storage/models.py` (same declarative base) so the contract's tables read as
one piece.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Contract(Base):
    """The matrix's `contract:` section, in the file's own words (hours as `20h`, rates as `95 GBP`)."""

    __tablename__ = "contracts"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[dict] = mapped_column(default=dict)


class HoursLog(Base):
    """Hours of the provider's time logged against a handoff; a correction is a negative entry."""

    __tablename__ = "hours_logs"
    __table_args__ = (
        Index("ix_hours_org_at", "organisation_id", "logged_at"),
        Index("ix_hours_handoff", "handoff_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    minutes: Mapped[int]
    logged_by: Mapped[str] = mapped_column(String(32))
    logged_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
