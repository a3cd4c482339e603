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


class HoursVersion(Base):
    """Moved on by every hours entry logged (`storage.hours_repo.add`), so that `/tandem hours`
    can keep its answer in memory (`handlers.dispatch.hours`)."""

    __tablename__ = "hours_versions"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class OverflowRequest(Base):
    """An overflow request held for the client's approval, and its outcome."""

    __tablename__ = "overflow_requests"
    __table_args__ = (Index("ix_overflow_requests_org_status", "organisation_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    requester: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(8))
    hold: Mapped[dict] = mapped_column(default=dict)  # reasons, closest scope entry, hours left, period
    approvers: Mapped[list] = mapped_column(default=list)
    requested_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    handoff_id: Mapped[int | None] = mapped_column(ForeignKey("handoffs.id", ondelete="SET NULL"))
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))


class MatrixChange(Base):
    """A change to who owns what (or a re-confirmation of every area) and each side's confirmation."""

    __tablename__ = "matrix_changes"
    __table_args__ = (Index("ix_matrix_changes_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    areas: Mapped[list] = mapped_column(default=list)
    lines: Mapped[list] = mapped_column(default=list)
    internal_by: Mapped[str | None] = mapped_column(String(32))
    internal_at: Mapped[datetime | None]
    provider_by: Mapped[str | None] = mapped_column(String(32))
    provider_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))  # where its Confirm message is
    ts: Mapped[str | None] = mapped_column(String(32))
