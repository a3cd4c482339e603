"""The fleet, one line per client, worst first, each with a link to its channel: the answer
to `/tandem fleet`, and the weekly fleet digest in the provider's channel.

Neither pings anyone: clients are named by their (escaped) names and channels are links. The
lines are packed into sections by length (a section holds 3,000 characters), so 200 clients
take about fifteen of a message's 50 blocks; past that the healthiest clients, listed last,
are summarised as "…and N more".
"""

from __future__ import annotations

from bot.contract.model import format_hours
from bot.digests.fleet import ClientLine, FleetDigest
from handlers.views.blocks import SECTION_TEXT, Reply, cap_blocks, context, header, section
from handlers.views.markup import escape, local_date, truncate

NAME = 100  # characters of a client's name shown: a line stays short whatever the matrix says
ORDER = "Worst first: breaches, then clocks at risk, reviews overdue, hours spent, gaps."
LATE = 3600  # seconds after its time a digest is called a catch-up


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def client_line(line: ClientLine) -> str:
    where = f"<#{line.channel}>" if line.channel else "no channel"
    icon = ":red_circle:" if line.breached else ":large_orange_circle:" if line.at_risk else ":white_circle:"
    counts = [f"{line.open} open", f"{line.at_risk} at risk", f"{line.breached} breached"]
    counts.append(f"{_plural(line.overdue_reviews, 'review')} overdue")
    counts.append(_plural(line.gaps, "matrix gap"))
    if line.hours_left is not None:
        counts.append(f"{format_hours(line.hours_left)} left" if line.hours_left else "no hours left")
    return f"{icon} *{truncate(escape(line.name), NAME)}* ({where}): " + " · ".join(counts)


def client_sections(lines: list[ClientLine]) -> list[dict]:
    """The clients' lines, as few sections as fit them."""
    sections, chunk = [], ""
    for text in (client_line(line) for line in lines):
        if chunk and len(chunk) + 1 + len(text) > SECTION_TEXT:
            sections.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{text}" if chunk else text
    return [*sections, section(chunk)] if chunk else sections


def fleet_reply(lines: list[ClientLine]) -> Reply:
    blocks = cap_blocks([header(f"Your clients ({len(lines)})"), *client_sections(lines), context(ORDER)])
    summary = f"Your clients ({len(lines)}): " + "; ".join(
        f"{line.name}: {line.breached} breached, {line.at_risk} at risk" for line in lines[:5]
    )
    return Reply(escape(summary), blocks, private=True)  # one client must never read of another


def fleet_digest_blocks(digest: FleetDigest) -> tuple[str, list[dict]]:
    """The weekly fleet digest: the week's totals, then every client worst first."""
    day = local_date(digest.at, digest.timezone, digest.now)
    title = f"Fleet digest, week {digest.week} ({day}): {_plural(len(digest.lines), 'client')}"
    week = digest.week_totals
    totals = (
        f"*This week:* {_plural(week.opened, 'handoff')} opened, {week.resolved} resolved.\n"
        f"*Now:* {digest.total('open')} open, {digest.total('at_risk')} at risk, {digest.total('breached')} breached, "
        f"{_plural(digest.total('overdue_reviews'), 'review')} overdue, {_plural(digest.total('gaps'), 'matrix gap')}; "
        f"{week.breached_clients} of {len(digest.lines)} with a breach, {week.at_risk_clients} with clocks at risk."
    )
    notes = [ORDER]
    if (digest.now - digest.at).total_seconds() > LATE:
        notes.append(f"Due {day}, posted late (Tandem was not running then): the counts are as they stand now.")
    blocks = [header(title), section(totals), *client_sections(digest.lines), context(*notes)]
    if not digest.lines:
        blocks.insert(2, section("No client matrix is loaded yet: `tandem matrix import FILE` adds one."))
    worst = "; ".join(f"{line.name}: {line.breached} breached, {line.at_risk} at risk" for line in digest.lines[:3])
    text = escape(f"{title}. {worst}" if worst else title)
    return truncate(text, 3000), cap_blocks(blocks)
