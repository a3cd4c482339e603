"""The daily and weekly digests, as the business owner reads them in the shared channel.

A quiet morning is one line ("all clear"), so the channel is not filled with empty
sections (overflow waiting for approval is never quiet: it is listed, with who decides); a
week with nothing decided says so in words rather than in dashes.
"""

from __future__ import annotations

from datetime import timedelta

from bot.digests.content import NO_WEEK, TREND_WEEKS, DailyDigest, WeeklyDigest
from bot.matrix.model import Matrix
from handlers.views.blocks import context, divider, header, section
from handlers.views.handoff import handoff_line
from handlers.views.hours import burn_lines, daily_line
from handlers.views.leave import until_text
from handlers.views.markup import escape, local_date, mention
from handlers.views.matrix import gap_line
from handlers.views.reminders import review_when
from handlers.views.waiting import decides_text, waiting_count, waiting_line

LISTED = 10  # handoffs or reviews listed per section before "…and N more"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _listed(label: str, lines: list[str]) -> dict:
    more = f"\n…and {len(lines) - LISTED} more" if len(lines) > LISTED else ""
    return section(f"*{label}*\n" + "\n".join(lines[:LISTED]) + more)


def _gaps(digest: DailyDigest, listed: int = 0) -> str:
    """The matrix's gaps beyond the `listed` sign-off ones the digest already shows line by line:
    counting those again read as one more problem than there was."""
    other = len(digest.gaps) - listed
    word = "other gap" if listed else "gap"
    return f"{_plural(other, word)} in the matrix — /tandem gaps" if other else f"No {word}s in the matrix."


def _hours(digest: DailyDigest) -> list[str]:
    """The block hours used so far, where the matrix keeps a bank (standing, so quiet or not)."""
    hours = digest.hours
    return [daily_line(hours)] if hours is not None and hours.statement is not None else []


def _awaiting(matrix: Matrix, digest: DailyDigest) -> dict:
    """The overflow held for approval, and who decides it now: named once, however many wait."""
    lines = [waiting_line(matrix, r, digest.now) for r in digest.awaiting]
    more = f"\n…and {len(lines) - LISTED} more" if len(lines) > LISTED else ""
    decides = f"{decides_text(digest.deciders)}: Approve or Decline on each request's message in this channel."
    return section(
        "*Waiting for approval*\n" + "\n".join(lines[:LISTED]) + more + "\n" + decides[0].upper() + decides[1:]
    )


def daily_digest_blocks(matrix: Matrix, digest: DailyDigest) -> tuple[str, list[dict]]:
    name, day = escape(matrix.name), local_date(digest.now, matrix.timezone)
    if digest.quiet:
        text = (
            f"Daily digest for {name}, {day}: all clear — no open handoffs, "
            "no reviews overdue or due in the next 7 days, everyone in."
        )
        extra = ([f"{_gaps(digest)}."] if digest.gaps else []) + _hours(digest)
        return text, [section(" ".join([":white_check_mark: " + text, *extra]))]
    total = sum(digest.open_by_side.values())
    sides = " · ".join(
        f"{escape(matrix.sides_by_key[k].name)}: {n}"
        for k, n in digest.open_by_side.items()
        if k in matrix.sides_by_key
    )
    ages = " · ".join(f"{k}: {n}" for k, n in digest.age_buckets.items())
    text = (
        f"Daily digest for {name}: {_plural(total, 'open handoff')}, {len(digest.breached)} breached, "
        f"{len(digest.at_risk)} at risk."
    ) + (f" {waiting_count(len(digest.awaiting))}." if digest.awaiting else "")
    blocks = [header(f"Daily digest — {day}"), section(f"*{_plural(total, 'open handoff')}* — {sides}\nBy age: {ages}")]
    for label, handoffs in (("Breached", digest.breached), ("At risk", digest.at_risk)):
        if handoffs:
            blocks.append(_listed(label, [handoff_line(matrix, h, digest.now) for h in handoffs]))
    if digest.awaiting:
        blocks.append(_awaiting(matrix, digest))
    for label, statuses in (
        ("Reviews overdue", digest.reviews_overdue),
        ("Reviews due in the next 7 days", digest.reviews_due),
    ):
        if statuses:
            lines = [f"• {escape(s.review.name)} — {review_when(s, matrix.timezone)}" for s in statuses]
            blocks.append(_listed(label, lines))
    if not digest.reviews_overdue and not digest.reviews_due:
        blocks.append(section("*Reviews*\nNothing overdue or due in the next 7 days."))
    away = [
        f"• {mention(p.person)} away until {until_text(matrix, p.ends_at, digest.now)}"
        + (f", covered by {mention(p.cover)}" if p.cover else ", no cover")
        for p in digest.away
    ]
    blocks.append(section("*Leave and cover*\n" + ("\n".join(away) if away else "Everyone is in.")))
    blocks += [section(line) for line in _hours(digest)]
    if digest.signoff:
        blocks.append(_listed("Matrix sign-off", [gap_line(g) for g in digest.signoff]))
    blocks.append(context(_gaps(digest, len(digest.signoff))))
    return text, blocks


def _rate(met_total: tuple[int, int]) -> str:
    met, total = met_total
    return f"{met}/{total} ({round(100 * met / total)}%)" if total else "none decided"


def trend_legend(digest: WeeklyDigest) -> str:
    """The sparkline and what it means: which weeks, what a full block is, and this week's figure."""
    since = digest.week_start - timedelta(weeks=TREND_WEEKS - 1)
    latest = digest.trend[-1]
    figure = f"{round(100 * latest)}% met" if latest is not None else "nothing decided"
    return (
        f"SLA met, weeks of {since:%d %b} to {digest.week_start:%d %b} (oldest first; █ = 100%, ▁ = 0%, "
        f"{NO_WEEK} = none decided): `{digest.sparkline}` · week of {digest.week_start:%d %b}: {figure}"
    )


def weekly_digest_blocks(matrix: Matrix, digest: WeeklyDigest) -> tuple[str, list[dict]]:
    week = f"{digest.week_start:%d %b}"
    text = f"Weekly SLA digest for {escape(matrix.name)}, week of {week}."
    if digest.decided:
        sides = "\n".join(
            f"• {escape(matrix.sides_by_key[k].name)}: {_rate(v)}"
            for k, v in digest.attainment_by_side.items()
            if k in matrix.sides_by_key
        )
        priorities = " · ".join(f"{k}: {_rate(v)}" for k, v in digest.attainment_by_priority.items() if v[1])
        median = digest.median_time_to_respond
        median_text = (
            f"{int(median.total_seconds() // 60)} min" if median is not None else "no first response that week"
        )
        body = (
            f"*SLA met, by side* (handoffs resolved in time, against those resolved or breached that week)\n{sides}\n"
            f"*By priority:* {priorities}\n*Median time to respond:* {median_text}"
        )
    else:
        body = f"No handoff was resolved or breached its SLA in the week of {week}: nothing to measure."
    blocks = [header(f"Weekly SLA digest — week of {digest.week_start:%d %b %Y}"), section(body)]
    if digest.burn is not None:
        blocks.append(section(burn_lines(digest.burn)))
    return text, [*blocks, divider(), context(trend_legend(digest))]
