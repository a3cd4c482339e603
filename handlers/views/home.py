"""The App Home tab: one organisation's, or a provider engineer's, one entry per client."""

from __future__ import annotations

from bot.errors import TandemError
from bot.services.home import ClientHome, FleetHome, Home
from handlers.views.blocks import VIEW_BLOCKS, cap_blocks, context, divider, header, section
from handlers.views.fleet import ORDER, client_line
from handlers.views.handoff import handoff_line
from handlers.views.markup import escape, local_time, mention, words
from handlers.views.matrix import gap_line
from handlers.views.reminders import review_when


def _handoffs(title: str, handoffs, matrix, now, empty: str) -> list[dict]:
    lines = [handoff_line(matrix, h, now) for h in handoffs]
    return [header(title), section("\n".join(lines) if lines else empty)]


def home_view(home: Home) -> dict:
    matrix = home.matrix
    viewer = home.viewer
    if viewer is None:
        who = "You are not listed in the matrix yet; ask a matrix admin to add you."
    else:
        side = matrix.sides_by_key[viewer.side]
        who = f"You are on the *{escape(side.name)}* side ({side.key})" + (
            " and a matrix admin." if viewer.admin else "."
        )
    blocks = [header(f"Tandem — {matrix.name}"), section(who), divider()]
    blocks += _handoffs("Assigned to me", home.assigned, matrix, home.now, "Nothing assigned to you.")
    blocks += _handoffs("Opened by me", home.opened, matrix, home.now, "No open handoffs of yours.")
    blocks += _handoffs("Breached", home.breached, matrix, home.now, "No breached SLA clocks.")
    blocks += [divider(), header("Covering today")]
    if home.away:
        for period in home.away:
            cover = f"covered by {mention(period.cover)}" if period.cover else "no cover set"
            blocks.append(
                section(
                    f"{mention(period.person)} is away until {local_time(period.ends_at, matrix.timezone)}, {cover}."
                )
            )
    else:
        blocks.append(section("Nobody is away today."))
    blocks += [divider(), header("Reviews due")]
    lines = [f"• *{escape(r.review.name)}* — {review_when(r, matrix.timezone)}" for r in home.reviews]
    blocks.append(section("\n".join(lines) if lines else "Nothing overdue or due in the next 7 days."))
    blocks += [divider(), header("Matrix gaps")]
    if home.gaps:
        blocks += [section(gap_line(g)) for g in home.gaps]
    else:
        blocks.append(section("No gaps: every area has an owner and cover where it needs it."))
    blocks.append(context(f"Updated {local_time(home.now, matrix.timezone)}"))
    return {"type": "home", "blocks": cap_blocks(blocks, VIEW_BLOCKS)}


def fleet_home_view(home: FleetHome) -> dict:
    """Each client's line and the handoffs assigned to the viewer there, worst first; past the
    view's 100 blocks the healthiest clients are counted, not shown."""
    count = len(home.clients)
    blocks = [
        header(f"Tandem — your clients ({count})"),
        section(f"You are on the provider side of {count} clients' matrices. {ORDER}"),
        divider(),
    ]
    room = VIEW_BLOCKS - len(blocks) - 2  # the "more" note and the time stamp
    shown = home.clients if count <= room + 1 else home.clients[:room]
    blocks += [section(_client(entry, home)) for entry in shown]
    if len(shown) < count:
        blocks.append(context(f"…and {count - len(shown)} more clients, the healthiest, not shown here."))
    blocks.append(context(f"Updated {local_time(home.now, 'UTC')}"))
    return {"type": "home", "blocks": blocks}


def _client(entry: ClientHome, home: FleetHome) -> str:
    lines = [client_line(entry.line)]
    lines += [handoff_line(entry.matrix, h, home.now) for h in entry.assigned]
    return "\n".join(lines)


def no_matrix_view(error: TandemError) -> dict:
    return {"type": "home", "blocks": [header("Tandem"), section(words(error.words))]}
