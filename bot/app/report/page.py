"""The service review as one self-contained HTML page: inline CSS and SVG, nothing fetched.

Each section starts a new A4 page when printed; every text that came from a person or a
matrix is escaped. Long lists are cut on the page with a line saying how many more there
are (the CSV export has them all).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.app.report.charts import Chart, Series, bars
from bot.contract.model import format_hours
from bot.matrix.model import SIDES, Matrix
from bot.report.figures import ServiceReview
from bot.report.outlook import REASONS
from bot.report.sla import Compared, Rate
from bot.report.summary import percent, plural

ROWS = 20  # rows of a table shown on the page before "and N more"
_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 0 auto;
  max-width: 190mm; font-size: 10pt; line-height: 1.4; background: #fff; }
header { border-bottom: 2px solid #1f3b57; margin-bottom: 6mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 0 0 3mm; color: #1f3b57; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; }
section { padding: 4mm 0; }
section + section { break-before: page; page-break-before: always; }
.summary { font-size: 11.5pt; border-left: 4px solid #1f3b57; padding: 2mm 4mm; background: #f2f5f8; }
.tiles { display: flex; flex-wrap: wrap; gap: 3mm; margin: 5mm 0; padding: 0; list-style: none; }
.tiles li { flex: 1 1 40mm; border: 1px solid #888; padding: 2mm 3mm; }
.tiles b { display: block; font-size: 16pt; }
figure { margin: 0 0 3mm; break-inside: avoid; } figure svg { width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 3mm; }
th, td { border: 1px solid #999; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e6ebf0; } tr { break-inside: avoid; }
td.n { text-align: right; white-space: nowrap; }
.more, .muted { color: #444; font-style: italic; }
a { color: #1f3b57; }
@media print { body { max-width: none; } a { text-decoration: none; } }
"""


def render(review: ServiceReview) -> str:
    """The whole page, as text."""
    matrix = review.matrix
    sections = [
        _overview(review),
        _sla(review),
        _times(review),
        _breaches(review),
        _reviews(review),
        _hours_and_changes(review),
        _outlook(review),
    ]
    title = f"Service review: {matrix.name}, {review.period.label}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>" + "".join(sections) + "</body></html>\n"
    )


def _section(key: str, title: str, *parts: str) -> str:
    return f'<section id="{key}"><h2>{escape(title)}</h2>{"".join(parts)}</section>'


def _figure(chart: Chart) -> str:
    return f'<figure class="chart" id="{chart.key}" aria-label="{escape(chart.title)}">{chart.svg}</figure>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (), cut: int = ROWS) -> str:
    """A table of escaped cells; `rows` may hold pre-rendered cells marked by the caller (links)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body, shown, total = [], 0, 0
    for row in rows:
        total += 1
        if shown < cut:
            shown += 1
            body.append(
                "<tr>"
                + "".join(f"<td{' class=n' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row))
                + "</tr>"
            )
    more = f'<p class="more">and {total - shown} more.</p>' if total > shown else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _local(matrix: Matrix, at: datetime) -> str:
    return f"{at.astimezone(ZoneInfo(matrix.timezone)):%a %-d %b %Y %H:%M}"


def _day(value: date) -> str:
    return f"{value:%-d %b %Y}"


def _who(matrix: Matrix, slack_id: str) -> str:
    person = matrix.people.get(slack_id)
    return escape(person.name if person else slack_id)


def _side(matrix: Matrix, key: str) -> str:
    side = matrix.side(key)
    return f"{side.name} ({key})" if side else key


def _span(value: timedelta | None) -> str:
    if value is None:
        return "–"
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest:02d}m" if rest else f"{hours}h"


def _overview(review: ServiceReview) -> str:
    matrix, figures = review.matrix, review.handoffs
    counts = review.reviews.counts
    tiles = [
        ("SLA met", percent(figures.overall.now.percent), f"before: {percent(figures.overall.before.percent)}"),
        ("Handoffs opened", str(figures.opened), f"before: {figures.previous_opened}"),
        ("Breaches", str(len(figures.breaches)), f"of {figures.overall.now.measured} measured"),
        ("Reviews on time", f"{counts['on time']} of {review.reviews.due}", f"{counts['missed']} missed"),
        ("Hours logged", format_hours(review.hours.used), _bank_line(review)),
        ("Uncovered windows", str(len(review.outlook)), "in the next 4 weeks"),
    ]
    tile_html = "".join(f"<li>{escape(name)}<b>{escape(value)}</b>{escape(note)}</li>" for name, value, note in tiles)
    made = _local(matrix, review.made_at)
    return (
        f'<section id="summary"><header><h1>Service review: {escape(matrix.name)}</h1>'
        f"<p>{escape(review.period.label)} ({_day(review.period.start)} to "
        f"{_day(review.period.end - timedelta(days=1))}), compared with {escape(review.period.previous().label)}. "
        f"Made {escape(made)} ({escape(matrix.timezone)}).</p></header>"
        f'<p class="summary" id="summary-text">{escape(review.summary)}</p><ul class="tiles">{tile_html}</ul>'
        f"<p class=muted>Sides: {escape(' and '.join(_side(matrix, s) for s in SIDES))}. A handoff counts in the "
        "month it was opened and is measured against the side it was first sent to; it met the SLA when both its "
        "respond and resolve clocks stopped within target.</p></section>"
    )


def _bank_line(review: ServiceReview) -> str:
    statements = review.hours.statements
    if not statements:
        return "no block-hours bank"
    return f"of {format_hours(sum(s.available for s in statements))} in the bank"


def _rate_label(rate: Rate) -> str:
    return f"{percent(rate.percent)} ({rate.met}/{rate.measured})" if rate.measured else "none measured"


def _compared_chart(
    key: str, title: str, rows: Sequence[Compared], names: Sequence[str], review: ServiceReview
) -> Chart:
    this, before = review.period.label, review.period.previous().label
    return bars(
        key,
        title,
        names,
        [
            Series(
                this,
                [r.now.percent for r in rows],
                [percent(r.now.percent) for r in rows],
                [_rate_label(r.now) for r in rows],
            ),
            Series(
                before,
                [r.before.percent for r in rows],
                [percent(r.before.percent) for r in rows],
                [_rate_label(r.before) for r in rows],
            ),
        ],
        x_label="",
        y_label="% of handoffs that met the SLA",
        limit=110,
        empty_note="no handoff measured in either period",
    )


def _sla(review: ServiceReview) -> str:
    matrix, figures = review.matrix, review.handoffs
    months = figures.by_month
    by_month = bars(
        "chart-sla-month",
        "SLA met, by month",
        [label for label, _ in months],
        [Series("met the SLA", [r.percent for _, r in months], [_rate_label(r) for _, r in months])],
        x_label="Month opened",
        y_label="% of handoffs",
        limit=110,
        empty_note="no handoff measured in this period",
    )
    by_side = _compared_chart(
        "chart-sla-side",
        "SLA met, by the side it was sent to",
        figures.by_side,
        [_side(matrix, r.key) for r in figures.by_side],
        review,
    )
    by_priority = _compared_chart(
        "chart-sla-priority", "SLA met, by priority", figures.by_priority, [r.key for r in figures.by_priority], review
    )
    return _section("sla", "SLA attainment", _figure(by_month), _figure(by_side), _figure(by_priority))


def _times(review: ServiceReview) -> str:
    matrix, figures = review.matrix, review.handoffs
    charts = []
    for times in (figures.respond, figures.resolve):
        labels = [label for label, _ in times.buckets]
        counts = [n for _, n in times.buckets]
        charts.append(
            bars(
                f"chart-{times.clock}-times",
                f"Time to {times.clock} (median {_span(times.median)}, {plural(times.count, 'handoff')})",
                labels,
                [Series(f"{times.clock}ed", counts, [str(n) for n in counts])],
                x_label="Business time taken (24x7 for round-the-clock targets)",
                y_label="Handoffs",
                empty_note=f"no handoff {times.clock}ed in this period",
            )
        )
    areas = figures.by_area[:12]
    by_area = bars(
        "chart-areas",
        "Handoffs by area and requesting side",
        [name for name, _ in areas],
        [
            Series(f"asked by {_side(matrix, s)}", [c[s] for _, c in areas], [str(c[s]) for _, c in areas])
            for s in SIDES
        ],
        x_label="Area",
        y_label="Handoffs opened",
        horizontal=True,
        stacked=True,
        empty_note="no handoff opened in this period",
    )
    waits = figures.waiting
    hours = lambda span: round(span / timedelta(hours=1), 1)  # noqa: E731
    waiting = bars(
        "chart-waiting",
        "Time handoffs spent with each side (hours, wall clock)",
        [_side(matrix, w.side) for w in waits],
        [
            Series(
                "held as the side asked", [hours(w.as_target) for w in waits], [f"{hours(w.as_target)}h" for w in waits]
            ),
            Series(
                "waiting on it as requester",
                [hours(w.as_requester) for w in waits],
                [f"{hours(w.as_requester)}h" for w in waits],
            ),
        ],
        x_label="Side",
        y_label="Hours",
        horizontal=True,
        empty_note="no handoff opened in this period",
    )
    return _section(
        "times", "Response times, sources and waiting", _figure(charts[0]), _figure(charts[1]), _figure(by_area)
    ) + _section("waiting", "Who the handoffs waited on", _figure(waiting), _waiting_table(review))


def _waiting_table(review: ServiceReview) -> str:
    matrix = review.matrix
    rows = [
        (escape(_side(matrix, w.side)), _span(w.as_target), _span(w.as_requester), str(w.handoffs))
        for w in review.handoffs.waiting
    ]
    return _table(["Side", "Held as the side asked", "Waiting on it as requester", "Handoffs"], rows, numeric=(1, 2, 3))


def _breaches(review: ServiceReview) -> str:
    matrix = review.matrix
    rows = []
    for breach in reversed(review.handoffs.breaches):  # the latest first
        handoff = breach.handoff
        area = matrix.area(handoff.area) if handoff.area else None
        link = breach.link
        number = f'<a href="{escape(link)}">#{handoff.id}</a>' if link else f"#{handoff.id}"
        rows.append(
            (
                number,
                escape(handoff.priority),
                escape(area.name if area else handoff.area or "–"),
                escape(handoff.summary),
                escape(_side(matrix, handoff.original_target_side)),
                escape(" and ".join(breach.clocks)),
                escape(_local(matrix, handoff.opened_at)),
            )
        )
    body = (
        _table(["Handoff", "Priority", "Area", "Summary", "Sent to", "Clock missed", "Opened"], rows)
        if rows
        else "<p>No handoff breached its SLA in this period.</p>"
    )
    return _section("breaches", f"Breaches ({len(rows)})", body)


def _reviews(review: ServiceReview) -> str:
    matrix, figures = review.matrix, review.reviews
    counts = figures.counts
    chart = bars(
        "chart-reviews",
        "Review cycles due in the period",
        list(counts),
        [Series("cycles", list(counts.values()), [str(n) for n in counts.values()])],
        x_label="How it went",
        y_label="Cycles",
        empty_note="no review fell due in this period",
    )
    rows = [
        (
            escape(c.review.name),
            escape(c.review.reference or "–"),
            escape(_local(matrix, c.due_at)),
            escape(c.state),
            escape(_local(matrix, c.done.done_at)) + " by " + _who(matrix, c.done.done_by) if c.done else "–",
            escape(c.done.evidence or "–") if c.done else "–",
        )
        for c in figures.cycles
    ]
    return _section(
        "reviews",
        "Reviews",
        _figure(chart),
        _table(["Review", "Control", "Due", "State", "Done", "Evidence"], rows),
    )


def _hours_and_changes(review: ServiceReview) -> str:
    matrix, hours = review.matrix, review.hours
    parts = []
    if hours.statements:
        statements = hours.statements
        chart = bars(
            "chart-hours",
            "Block hours used against the bank",
            [s.period.label for s in statements],
            [
                Series(
                    "available", [s.available / 60 for s in statements], [format_hours(s.available) for s in statements]
                ),
                Series("used", [s.used / 60 for s in statements], [format_hours(s.used) for s in statements]),
            ],
            x_label="Bank period",
            y_label="Hours",
        )
        rows = [
            (
                escape(s.period.label),
                format_hours(s.bank),
                format_hours(s.carried_in),
                format_hours(s.used),
                format_hours(s.left),
                format_hours(s.overage),
                escape(s.overage_cost.describe()) if s.overage_cost else "–",
            )
            for s in statements
        ]
        table = _table(
            ["Period", "Bank", "Rolled over", "Used", "Left", "Over", "Overage cost"], rows, numeric=(1, 2, 3, 4, 5, 6)
        )
        parts += [_figure(chart), table]
    else:
        months = hours.by_month
        chart = bars(
            "chart-hours",
            "Provider hours logged (the matrix keeps no bank)",
            [label for label, _ in months],
            [Series("logged", [m / 60 for _, m in months], [format_hours(m) for _, m in months])],
            x_label="Month",
            y_label="Hours",
            empty_note="no hours logged in this period",
        )
        parts.append(_figure(chart))
    changes = review.state.changes
    change_rows = [
        (
            escape(_local(matrix, c.at)),
            _who(matrix, c.actor),
            escape(c.kind.removeprefix("matrix.")),
            "<br>".join(escape(line) for line in c.lines),
        )
        for c in changes
    ]
    parts.append("<h3>Matrix changes and sign-offs</h3>")
    parts.append(
        _table(["When", "Who", "What", "Changes"], change_rows)
        if change_rows
        else "<p>The matrix did not change in this period.</p>"
    )
    return _section("hours", "Hours and matrix changes", *parts)


def _outlook(review: ServiceReview) -> str:
    matrix, state = review.matrix, review.state
    windows = [
        (
            escape(u.area.name),
            escape(_local(matrix, u.start)),
            escape(_local(matrix, u.end)),
            _span(u.length),
            escape(REASONS.get(u.reason, u.reason)),
        )
        for u in review.outlook
    ]
    gaps = [(escape(g.subject), escape(g.problem), escape(g.fix)) for g in state.gaps]
    stale = [
        (escape(s.area.name), escape(_local(matrix, s.confirmed)) if s.confirmed else "never") for s in state.stale
    ]
    end = review.made_at + timedelta(weeks=4)
    return _section(
        "outlook",
        "Coverage outlook and gaps",
        f"<h3>Nobody on duty, {escape(_local(matrix, review.made_at))} to {escape(_local(matrix, end))}</h3>",
        _table(["Area", "From", "To", "For", "Why"], windows, numeric=(3,))
        if windows
        else "<p>Every area that needs cover has someone on duty throughout the next four weeks.</p>",
        "<h3>Gaps in the matrix</h3>",
        _table(["Where", "Problem", "Fix"], gaps) if gaps else "<p>No gaps.</p>",
        f"<h3>Areas not confirmed by both sides in the last {escape(state.review_every)}</h3>",
        _table(["Area", "Last confirmed"], stale) if stale else "<p>Every area is confirmed.</p>",
    )
