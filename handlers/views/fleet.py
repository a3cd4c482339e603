"""`/tandem fleet`: one line per client, worst first, each with a link to its channel."""

from __future__ import annotations

from bot.contract.model import format_hours
from bot.services.fleet import ClientLine
from handlers.views.blocks import Reply, context, header, section
from handlers.views.markup import escape

LINES_PER_SECTION = 10  # a section holds 3,000 characters; ten client lines fit with room to spare


def client_line(line: ClientLine) -> str:
    where = f"<#{line.channel}>" if line.channel else "no channel"
    icon = ":red_circle:" if line.breached else ":large_orange_circle:" if line.at_risk else ":white_circle:"
    counts = [f"{line.open} open", f"{line.at_risk} at risk", f"{line.breached} breached"]
    counts.append(f"{line.overdue_reviews} review{'s' if line.overdue_reviews != 1 else ''} overdue")
    counts.append(f"{line.gaps} matrix gap{'s' if line.gaps != 1 else ''}")
    if line.hours_left is not None:
        counts.append(f"{format_hours(line.hours_left)} left" if line.hours_left else "no hours left")
    return f"{icon} *{escape(line.name)}* ({where}): " + " · ".join(counts)


def fleet_reply(lines: list[ClientLine]) -> Reply:
    texts = [client_line(line) for line in lines]
    blocks = [header(f"Your clients ({len(lines)})")]
    for start in range(0, len(texts), LINES_PER_SECTION):
        blocks.append(section("\n".join(texts[start : start + LINES_PER_SECTION])))
    blocks.append(context("Worst first: breaches, then clocks at risk, reviews overdue, hours spent, gaps."))
    summary = f"Your clients ({len(lines)}): " + "; ".join(
        f"{line.name}: {line.breached} breached, {line.at_risk} at risk" for line in lines[:5]
    )
    return Reply(escape(summary), blocks, private=True)  # one client must never read of another
