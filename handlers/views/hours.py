"""Hours against the bank: `/tandem hours`, `/tandem log`, the handoff thread line and the
digests' lines."""

from __future__ import annotations

from bot.contract.hours import Burn, HoursEntry, HoursReport, Logged
from bot.contract.model import format_hours
from bot.handoffs.model import Handoff
from bot.matrix.model import Matrix
from handlers.views.blocks import Reply, context, header, section
from handlers.views.handoff import title
from handlers.views.markup import escape, mention, truncate


def standing(report: HoursReport) -> str:
    """One line: used, left, rollover and overage in money (or just the hours used, without a bank)."""
    s = report.statement
    if s is None:
        return f"{format_hours(report.used)} logged in {report.period.label} (the matrix sets no bank of hours)."
    bank = f"{format_hours(s.bank)} bank" + (f" + {format_hours(s.carried_in)} rolled over" if s.carried_in else "")
    line = f"{format_hours(s.used)} of {format_hours(s.available)} used ({bank}), {format_hours(s.left)} left"
    if s.overage:
        cost = f" = {s.overage_cost.describe()}" if s.overage_cost else ""
        line += f"; :warning: {format_hours(s.overage)} over the bank{cost}"
    return line + "."


def _icon(report: HoursReport) -> str:
    return ":warning:" if report.warning else ":stopwatch:"


def hours_reply(matrix: Matrix, report: HoursReport, handoffs: dict[int, Handoff]) -> Reply:
    s = report.statement
    lines = [f"{_icon(report)} {escape(standing(report))}"]
    if s is not None and s.rollover_cap:
        lines.append(
            f"Up to {format_hours(s.rollover_cap)} of what is left rolls into {report.period.next().label}"
            f" (now {format_hours(s.carry_out)})."
        )
    if s is not None and s.rate is not None and not s.overage:
        lines.append(f"Hours beyond the bank cost {escape(s.rate.text)} an hour.")
    blocks = [header(f"Hours — {report.period.label}"), section("\n".join(lines))]
    if report.by_handoff:
        top = []
        for number, minutes in report.by_handoff[:10]:
            h = handoffs.get(number)
            what = f"{title(h)} {escape(truncate(h.summary, 80))}" if h else f"#{number}"
            top.append(f"• {format_hours(minutes)} — {what}")
        more = len(report.by_handoff) - 10
        blocks.append(section("*Where they went*\n" + "\n".join(top) + (f"\n…and {more} more" if more > 0 else "")))
    blocks.append(context(f"{escape(matrix.name)} · log hours with `/tandem log 1.5h on 42` or on Resolve"))
    return Reply(f"Hours for {report.period.label}: {standing(report)}", blocks)


def logged_text(entry: HoursEntry, handoff: Handoff, total: int) -> str:
    verb = "took off" if entry.minutes < 0 else "logged"
    return (
        f"{mention(entry.by)} {verb} {format_hours(abs(entry.minutes))} on {title(handoff)}"
        f" ({format_hours(total)} on it in all)" + (f": “{escape(truncate(entry.note, 300))}”" if entry.note else ".")
    )


def logged_reply(logged: Logged) -> Reply:
    text = f"{logged_text(logged.entry, logged.handoff, logged.total)}\n{logged.report.period.label}: {escape(standing(logged.report))}"
    return Reply(text, [section(f"{_icon(logged.report)} {text}")])


def daily_line(report: HoursReport) -> str:
    """The daily digest's hours line (a warning at warn_at)."""
    s = report.statement
    if s is None:
        return ""
    if report.warning:
        return f":warning: *Hours:* {s.percent_used}% of {report.period.label}'s used — {escape(standing(report))}"
    return f"*Hours:* {format_hours(s.left)} left of {format_hours(s.available)} in {report.period.label}."


def burn_lines(burn: Burn) -> str:
    """The weekly digest's look at the period's burn."""
    report, s = burn.report, burn.report.statement
    line = f"*Hours in {report.period.label}:* {escape(standing(report))}\nLast week: {format_hours(burn.last_week)}."
    if s is not None and burn.forecast > s.available:
        over = burn.forecast - s.available
        cost = f", {s.rate.for_minutes(over).describe()}" if s.rate else ""
        line += f" At this pace: {format_hours(burn.forecast)} by the end of {report.period.label}, {format_hours(over)} over the bank{cost}."
    elif s is not None:
        line += f" At this pace: {format_hours(burn.forecast)} by the end of {report.period.label}, within the bank."
    return line
