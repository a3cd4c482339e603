"""The review in one paragraph: how the SLA went against the period before, and the one
thing to act on, chosen in order of harm: nobody on duty soon, a review left undone, hours
over the bank, the weakest SLA, areas nobody has re-confirmed.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.contract.model import format_hours
from bot.matrix.model import Matrix
from bot.report.contract import HoursFigures, MatrixFigures
from bot.report.outlook import REASONS, Uncovered
from bot.report.period import ReviewPeriod
from bot.report.reviews import ReviewFigures
from bot.report.sla import Compared, HandoffFigures

TARGET = 90  # percent: an SLA below this is worth acting on


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}%"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def local(at: datetime, timezone: str) -> str:
    return f"{at.astimezone(ZoneInfo(timezone)):%a %-d %b %H:%M}"


def summarise(
    matrix: Matrix,
    period: ReviewPeriod,
    handoffs: HandoffFigures,
    reviews: ReviewFigures,
    hours: HoursFigures,
    state: MatrixFigures,
    outlook: tuple[Uncovered, ...],
) -> str:
    sentences = [
        _sla(period, handoffs),
        _sides(matrix, handoffs),
        _breaches(matrix, handoffs),
        _reviews(reviews),
        _hours(hours),
    ]
    sentences.append(_act(matrix, handoffs, reviews, hours, state, outlook))
    return " ".join(s for s in sentences if s)


def _sla(period: ReviewPeriod, figures: HandoffFigures) -> str:
    rate, before = figures.overall.now, figures.overall.before
    opened = plural(figures.opened, "handoff")
    if not figures.opened:
        return f"In {period.label}, no handoff was opened."
    if not rate.measured:
        return f"In {period.label}, {opened} opened and none could be measured against the SLA yet."
    text = f"In {period.label}, {percent(rate.percent)} of the {plural(rate.measured, 'handoff')} measured met the SLA"
    if before.percent is None or rate.percent is None:
        return f"{text} ({opened} opened; nothing to compare with in {period.previous().label})."
    change = round(rate.percent) - round(before.percent)
    trend = "the same as" if change == 0 else f"{'up' if change > 0 else 'down'} {plural(abs(change), 'point')} on"
    return f"{text}, {trend} {period.previous().label} ({percent(before.percent)})."


def _sides(matrix: Matrix, figures: HandoffFigures) -> str:
    parts = []
    for row in figures.by_side:
        side = matrix.side(row.key)
        if row.now.measured:
            parts.append(f"{side.name if side else row.key} met {percent(row.now.percent)} of what was sent to it")
    return "; ".join(parts) + "." if len(parts) > 1 else ""


def _breaches(matrix: Matrix, figures: HandoffFigures) -> str:
    if not figures.breaches:
        return "No handoff breached its SLA."
    text = f"{plural(len(figures.breaches), 'handoff')} breached"
    areas = Counter(b.handoff.area for b in figures.breaches if b.handoff.area)
    ranked = areas.most_common(2)
    if ranked and ranked[0][1] > 1 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        key, count = ranked[0]
        area = matrix.area(key)
        text += f", most in {area.name if area else key} ({count})"
    return text + "."


def _reviews(figures: ReviewFigures) -> str:
    if not figures.due:
        return ""
    counts = figures.counts
    text = f"{counts['on time']} of {plural(figures.due, 'review')} due were done on time"
    undone = [f"{counts[s]} {s}" for s in ("late", "missed", "overdue") if counts[s]]
    return f"{text} ({', '.join(undone)})." if undone else f"{text}."


def _hours(figures: HoursFigures) -> str:
    if not figures.statements:
        return f"{format_hours(figures.used)} of provider time was logged." if figures.used else ""
    used = sum(s.used for s in figures.statements)
    available = sum(s.available for s in figures.statements)
    text = f"{format_hours(used)} of {format_hours(available)} block hours were used"
    over = sum(s.overage for s in figures.statements)
    return f"{text}, {format_hours(over)} over the bank." if over else f"{text}."


def _act(
    matrix: Matrix,
    handoffs: HandoffFigures,
    reviews: ReviewFigures,
    hours: HoursFigures,
    state: MatrixFigures,
    outlook: tuple[Uncovered, ...],
) -> str:
    if outlook:
        first = outlook[0]
        more = f" ({plural(len(outlook) - 1, 'more window')} in the next four weeks)" if len(outlook) > 1 else ""
        return (
            f"Act on: {first.area.name} has nobody on duty from {local(first.start, matrix.timezone)} "
            f"to {local(first.end, matrix.timezone)}, as {REASONS.get(first.reason, 'nobody is on duty')}{more}."
        )
    undone = [c for c in reviews.cycles if c.state in ("missed", "overdue")]
    if undone:
        cycle = undone[0]
        return f"Act on: the {cycle.review.name} review due {local(cycle.due_at, matrix.timezone)} is {cycle.state}."
    over = [s for s in hours.statements if s.overage]
    if over:
        return f"Act on: {over[0].period.label} used {format_hours(over[0].overage)} more than the bank."
    weakest = _weakest(handoffs)
    if weakest is not None:
        return f"Act on: {weakest.key} handoffs met the SLA only {percent(weakest.now.percent)} of the time."
    if state.stale:
        return (
            f"Act on: {plural(len(state.stale), 'area')} not confirmed by both sides in the last {state.review_every}."
        )
    return "Nothing needs action now."


def _weakest(figures: HandoffFigures) -> Compared | None:
    below = [
        row
        for row in figures.by_priority
        if row.now.percent is not None and row.now.percent < TARGET and row.now.measured >= 3
    ]
    return min(below, key=lambda row: (row.now.percent or 0, row.key), default=None)
