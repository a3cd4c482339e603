"""Every figure of a service review, computed at once from a `History`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.matrix.model import Matrix
from bot.report.contract import HoursFigures, MatrixFigures, hours_figures, matrix_figures
from bot.report.history import History
from bot.report.outlook import Uncovered, coverage_outlook
from bot.report.period import ReviewPeriod
from bot.report.reviews import ReviewFigures, review_figures
from bot.report.sla import HandoffFigures, handoff_figures
from bot.report.summary import summarise


@dataclass(frozen=True)
class ServiceReview:
    matrix: Matrix
    period: ReviewPeriod
    made_at: datetime
    summary: str
    handoffs: HandoffFigures
    reviews: ReviewFigures
    hours: HoursFigures
    state: MatrixFigures  # changes and sign-offs, gaps, stale areas
    outlook: tuple[Uncovered, ...]  # the next four weeks from `made_at`


def service_review(history: History) -> ServiceReview:
    matrix, period, now = history.matrix, history.period, history.now
    handoffs = handoff_figures(matrix, history.handoffs, period, now)
    reviews = review_figures(matrix, history.completions, period, now)
    hours = hours_figures(matrix, history.hours, period)
    state = matrix_figures(matrix, history.changes, history.confirmed, now)
    outlook = coverage_outlook(matrix, history.leave, now)
    summary = summarise(matrix, period, handoffs, reviews, hours, state, outlook)
    return ServiceReview(matrix, period, now, summary, handoffs, reviews, hours, state, outlook)
