"""`/tandem fleet`: a provider's clients at once, the one needing attention first.

A provider serves many organisations from one Tandem; its admins are the people listed as
admins on the provider side of a matrix. Each of their clients becomes one line of counts
taken from that client's daily digest (the same numbers its channel sees each morning).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import TandemError
from bot.matrix.model import Matrix
from bot.ports import Store
from bot.services import digests
from bot.services.matrices import MatrixCache


@dataclass(frozen=True)
class ClientLine:
    organisation: str
    name: str
    channel: str | None
    open: int
    at_risk: int
    breached: int
    overdue_reviews: int
    gaps: int
    hours_left: int | None  # minutes left in the bank this period; None without a bank

    @property
    def urgency(self) -> tuple:
        """Worst first: breaches, then clocks at risk, reviews overdue, the bank spent, gaps, load."""
        spent = self.hours_left is not None and self.hours_left <= 0
        return (-self.breached, -self.at_risk, -self.overdue_reviews, not spent, -self.gaps, -self.open, self.name)


def provider_admin(matrix: Matrix, user: str) -> bool:
    person = matrix.people.get(user)
    return person is not None and person.admin and person.side == "provider"


def clients(store: Store, matrices: MatrixCache, user: str, now: datetime) -> list[ClientLine]:
    """One line per organisation where `user` is a provider admin, worst first."""
    lines = []
    for org_key in store.organisations_of(user):
        matrix = matrices.get(store, org_key).matrix
        if provider_admin(matrix, user):
            lines.append(_line(store, matrix, now))
    if not lines:
        raise TandemError(
            "`/tandem fleet` lists a provider's clients for its admins: no matrix lists you as an admin "
            "on the provider side."
        )
    return sorted(lines, key=lambda line: line.urgency)


def _line(store: Store, matrix: Matrix, now: datetime) -> ClientLine:
    daily = digests.daily(store, matrix, now)
    statement = daily.hours.statement if daily.hours else None
    return ClientLine(
        organisation=matrix.organisation,
        name=matrix.name,
        channel=matrix.channel,
        open=sum(daily.open_by_side.values()),
        at_risk=len(daily.at_risk),
        breached=len(daily.breached),
        overdue_reviews=len(daily.reviews_overdue),
        gaps=len(daily.gaps),
        hours_left=statement.left if statement else None,
    )
