"""Help, the matrix summary, the gap audit and cover confirmations."""

from __future__ import annotations

from bot.errors import TandemError
from bot.matrix.audit import Gap
from bot.matrix.model import CLOCK_24X7, Area, Matrix
from handlers.views.blocks import Reply, context, divider, header, section
from handlers.views.markup import escape, parties, party, words

HELP = """*Tandem* answers who owns what in the co-managed split, and keeps handoffs on the clock.
• `/owner <thing>` — who owns it and who is on duty right now · `/owner @person` — what they cover
• `/handoff [P1-P4] [@person | internal | provider | provider.group | area:] <summary>` — open a handoff thread
• `/overflow [P1-P4] <summary>` — ask the provider for extra hands
• `/tandem sla [breached | mine | internal | provider]` — open handoffs and their clocks
• `/tandem reviews` · `/tandem done <review> [evidence]` — recurring reviews
• `/tandem cover @who [from <when>] until <when> [by @whom]` · `/tandem cover list` · `/tandem cover end @who` — leave and who covers
• `/tandem hours [month]` · `/tandem log 1.5h on <number> [note]` — the contract's block hours: used, left, overage; the provider logs them
• `/tandem rota [key]` — who is on each rota now and next
• `/tandem matrix [area]` · `/tandem gaps` · `/tandem confirm` — the matrix (or one area in full), its gaps; admins confirm it for their side
• `/tandem digest [weekly]` · `/tandem export` · `/tandem evidence [review | area] [since]` — admins: post a digest now, share the handoff or audit evidence
• `/tandem fleet` · `/tandem digest fleet` — provider admins: every client at once, worst first; post the fleet digest now
• `/tandem report [2026-11 | 2026-Q4 | START..END]` — admins: share the service review page (last month by default)
Mention me too: `@tandem who owns backups?`, `@tandem overflow P2 30 laptops to image by Friday`."""


def help_reply(not_understood: str | None = None) -> Reply:
    blocks = []
    if not_understood:
        blocks.append(section(f"I didn't understand “{escape(not_understood)}”. Here is what I can do:"))
    blocks.append(section(HELP))
    return Reply(
        ("I didn't understand that. " if not_understood else "") + "Tandem help: /owner, /handoff, /overflow, /tandem",
        blocks,
    )


OWNER_HELP = (
    "Ask about one thing: `/owner backups` or `@tandem who is on call for backups`. "
    "`/owner @person` shows what someone covers; `/tandem rota` shows who is on each after-hours rota now."
)


def owner_help_reply() -> Reply:
    """ "Who is on call?" with nothing after it: how to ask, not the whole help."""
    return Reply(OWNER_HELP, [section(OWNER_HELP)])


def thanks_reply() -> Reply:
    return Reply("You're welcome.", [section(":+1: You're welcome.")])


def hello_reply() -> Reply:
    text = "Hello! Ask me who owns something, e.g. `@tandem who owns backups?`, or see `/tandem help`."
    return Reply(text, [section(f":wave: {text}")])


def error_reply(error: TandemError) -> Reply:
    """A refusal or mistake, in the words of the error that says what to do."""
    text = words(error.words)
    return Reply(text, [section(f":warning: {text}")])


def matrix_reply(matrix: Matrix, marks: dict[str, str] | None = None) -> Reply:
    """`marks`: a few words per area key on its sign-off (confirmed, unconfirmed, stale)."""
    marks = marks or {}
    lines = [
        f"• *{escape(a.name)}* (`{a.key}`) — R: {parties(matrix, a.responsible)}; A: {parties(matrix, a.accountable)}"
        + (f"; after hours: {parties(matrix, a.after_hours)}" if a.after_hours else "")
        + marks.get(a.key, "")
        for a in matrix.areas
    ]
    sides = " · ".join(f"{s.key}: *{escape(s.name)}* ({len(s.people)} people)" for s in matrix.sides)
    blocks = [header(f"Responsibility matrix — {matrix.name}"), section(sides)]
    chunk: list[str] = []
    for line in lines:  # a section holds 3,000 characters: pack lines into as few as fit
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(
        context(
            f"{len(matrix.areas)} areas · {len(matrix.reviews)} reviews · timezone {matrix.timezone} · "
            "one area in full: `/tandem matrix <area>` · both sides confirm it: `/tandem confirm`"
        )
    )
    return Reply(f"Responsibility matrix for {escape(matrix.name)}: {len(matrix.areas)} areas", blocks)


def area_reply(matrix: Matrix, area: Area, signed: str = "") -> Reply:
    """`/tandem matrix network`: one area's row of the matrix, every cell of it, and `signed`,
    its sign-off line."""
    cells = [
        (
            "Responsible",
            parties(matrix, area.responsible) + (f" (lead: {party(matrix, area.lead)})" if area.lead else ""),
        ),
        ("Accountable", parties(matrix, area.accountable)),
        ("Consulted", parties(matrix, area.consulted)),
        ("Informed", parties(matrix, area.informed)),
        ("After hours", parties(matrix, area.after_hours)),
        ("Escalation", parties(matrix, area.escalation)),
        ("Coverage", "24x7" if area.coverage == CLOCK_24X7 else "business hours"),
        ("Usual priority", area.priority or f"{matrix.sla.default} (the default)"),
    ]
    reviews = [f"{escape(r.name)} (`{escape(r.key)}`)" for r in matrix.reviews if r.area == area.key]
    also = f"Also called: {escape(', '.join(area.aliases))}" if area.aliases else "No other names."
    blocks = [
        header(area.name),
        section(f"`{area.key}` · {also}", [f"*{label}*\n{value}" for label, value in cells]),
    ]
    if area.notes:
        blocks.append(context(escape(area.notes)))
    blocks.append(context(("Reviews: " + ", ".join(reviews)) if reviews else "No reviews belong to this area."))
    if signed:
        blocks.append(context(signed))
    blocks.append(context(f"Who is on duty for it now: `/owner {area.key}`"))
    return Reply(f"{escape(area.name)} in the matrix of {escape(matrix.name)}", blocks)


def gap_line(gap: Gap) -> str:
    """One gap as a line; its subject names an area, a review or a person from the matrix file."""
    return f"• *{escape(gap.subject)}*: {escape(gap.problem)} — {escape(gap.fix)}"


def audit_reply(matrix: Matrix, gaps: list[Gap]) -> Reply:
    if not gaps:
        text = f"No gaps: every area of {escape(matrix.name)} has a responsible and an accountable party, and cover where needed."
        return Reply(text, [section(f":white_check_mark: {text}")])
    lines = [gap_line(g) for g in gaps]
    blocks = [header(f"{len(gaps)} gap{'s' if len(gaps) != 1 else ''} in the matrix"), divider()]
    blocks += [section(line) for line in lines]
    return Reply(f"{len(gaps)} gaps in the matrix of {escape(matrix.name)}", blocks)


def matrix_changed_blocks(matrix: Matrix, changes: list[str], actor: str) -> tuple[str, list[dict]]:
    text = f"The responsibility matrix of {escape(matrix.name)} changed ({len(changes)} change{'s' if len(changes) != 1 else ''}, by {escape(actor)})."
    lines = "\n".join(f"• {escape(line)}" for line in changes[:40])
    more = f"\n…and {len(changes) - 40} more" if len(changes) > 40 else ""
    return text, [
        section(f":scroll: {text}"),
        section(lines + more),
        context("`/tandem matrix` shows it; `/tandem gaps` its gaps."),
    ]
