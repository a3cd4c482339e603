"""Tables of the contract inside the bot: the `contract:` section as imported.

Kept beside `storage/models.py` (same declarative base) so the contract's tables read as
one piece.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Contract(Base):
    """The matrix's `contract:` section, in the file's own words (hours as `20h`, rates as `95 GBP`)."""

    __tablename__ = "contracts"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    terms: Mapped[dict] = mapped_column(default=dict)
