"""Leave and cover in words: a booking confirmed, the list of who is away, leave ended or cancelled.

Whole days read as days ("until the end of Fri 04 Dec"), times as times, and a date in another
year shows its year, so nobody books next January's leave thinking it is this one.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.matrix.model import Matrix
from bot.ownership.cover import LeavePeriod, StandIn
from bot.services.cover import Booked, Ended
from handlers.views.blocks import Reply, context, header, section
from handlers.views.markup import local_date, local_time, mention, mentions


def _midnight(at: datetime, timezone: str) -> bool:
    return at.astimezone(ZoneInfo(timezone)).time() == time(0)


def starts_text(matrix: Matrix, at: datetime, now: datetime) -> str:
    return (
        local_date(at, matrix.timezone, now) if _midnight(at, matrix.timezone) else local_time(at, matrix.timezone, now)
    )


def until_text(matrix: Matrix, at: datetime, now: datetime) -> str:
    """`the end of Fri 04 Dec` for leave ending at local midnight, else the instant."""
    if _midnight(at, matrix.timezone):
        return f"the end of {local_date(at - timedelta(hours=12), matrix.timezone, now)}"
    return local_time(at, matrix.timezone, now)


def period_text(matrix: Matrix, period: LeavePeriod, now: datetime) -> str:
    """`until …` for leave under way, `from … until …` for leave ahead."""
    until = f"until {until_text(matrix, period.ends_at, now)}"
    return until if period.starts_at <= now else f"from {starts_text(matrix, period.starts_at, now)} {until}"


def cover_words(stand_in: StandIn) -> str:
    """Who stands in for someone away now, through their cover chain."""
    if stand_in.by is not None:
        through = stand_in.chain[:-1]
        via = f" (through {mentions(through)}, away too)" if through else ""
        return f"covered by {mention(stand_in.by)}{via}"
    if stand_in.period.cover:
        verb = "is" if len(stand_in.chain) == 1 else "are"
        return f"{mentions(stand_in.chain)}, who would cover, {verb} away too"
    return "no cover set"


def cover_reply(matrix: Matrix, period: LeavePeriod, now: datetime) -> Reply:
    verb = "is away" if period.starts_at <= now else "will be away"
    cover = (
        f"{mention(period.cover)} covers."
        if period.cover
        else "Nobody covers: their work goes to the rest of their side, or to the fallback when nobody is in."
    )
    text = f"{mention(period.person)} {verb} {period_text(matrix, period, now)}. {cover}"
    return Reply(text, [section(f":palm_tree: {text}")], public=True)


def cover_list_reply(matrix: Matrix, booked: list[Booked], now: datetime) -> Reply:
    current = [b for b in booked if b.stand_in is not None]
    ahead = [b for b in booked if b.stand_in is None]
    if not booked:
        text = "Nobody is away now or booked to be."
        return Reply(
            text, [section(text), context("Book leave with `/tandem cover @who [from WHEN] until WHEN [by @whom]`.")]
        )
    blocks = [header(f"Leave and cover — {matrix.name}")]
    if current:
        lines = [
            f"• {mention(b.period.person)} {period_text(matrix, b.period, now)}, {cover_words(b.stand_in)}"
            for b in current
            if b.stand_in is not None
        ]
        blocks.append(section("*Away now*\n" + "\n".join(lines)))
    if ahead:
        lines = [
            f"• {mention(b.period.person)} {period_text(matrix, b.period, now)}, "
            + (f"covered by {mention(b.period.cover)}" if b.period.cover else "no cover set")
            for b in ahead
        ]
        blocks.append(section("*Booked ahead*\n" + "\n".join(lines)))
    blocks.append(context("End or cancel one with `/tandem cover end @who`."))
    return Reply(f"{len(current)} away now, {len(ahead)} booked ahead", blocks)


def cover_end_reply(matrix: Matrix, ended: Ended, now: datetime) -> Reply:
    period = ended.period
    if ended.cancelled:
        text = f"{mention(period.person)}'s leave {period_text(matrix, period, now)} is cancelled."
    else:
        text = (
            f"{mention(period.person)} is back: their leave until {until_text(matrix, period.ends_at, now)} ended now."
        )
    if ended.still_booked:
        more = "; ".join(period_text(matrix, p, now) for p in ended.still_booked)
        text += f" Still booked: {more} (the same command cancels the next one)."
    return Reply(text, [section(f":wave: {text}")], public=True)
