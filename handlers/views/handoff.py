"""Handoff messages: the root message in the channel, thread replies, `/tandem sla`, modals."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.handoffs.clocks import clocks
from bot.handoffs.model import Handoff, Transition
from bot.handoffs.transitions import available_actions
from bot.matrix.model import PRIORITIES, Area, Matrix
from bot.ownership.duty import Ping
from bot.sla.clock import ClockState
from handlers import ids
from handlers.inputs import HandoffRef
from handlers.views.blocks import Reply, actions, button, context, header, section
from handlers.views.duty import ping_sentences
from handlers.views.markup import escape, local_time, mention, mentions, party, truncate, user_text
from handlers.views.waiting import waiting_sla

STATUS_WORDS = {
    "open": ":new: Open",
    "acknowledged": ":eyes: Acknowledged",
    "in_progress": ":hammer_and_wrench: In progress",
    "waiting": ":hourglass_flowing_sand: Waiting on requester",
    "handed_back": ":leftwards_arrow_with_hook: Handed back",
    "resolved": ":white_check_mark: Resolved",
}
BUTTON_LABELS = {
    "acknowledge": ("Acknowledge", None),
    "take": ("Take it", None),
    "wait": ("Waiting on requester", None),
    "resume": ("Resume", None),
    "hand_back": ("Hand back", None),
    "resolve": ("Resolve", "primary"),
}
DONE_VERBS = {
    "acknowledge": "acknowledged it",
    "take": "took it",
    "resume": "resumed it",
    "hand_back": "handed it back",
    "resolve": "resolved it",
}


def clock_text(state: ClockState, timezone: str, now: datetime) -> str:
    if state.stopped:
        return "met" if not state.breached else "breached"
    if state.paused:
        return "paused"
    due = local_time(state.due_at, timezone) if state.due_at else "—"
    if state.breached:
        return f":red_circle: breached (was due {due})"
    return f"due {due} ({int(state.fraction * 100)}% used)"


def title(handoff: Handoff) -> str:
    return f"{'Overflow' if handoff.kind == 'overflow' else 'Handoff'} #{handoff.id} · {handoff.priority}"


def _summary_blocks(matrix: Matrix, handoff: Handoff, now: datetime) -> list[dict]:
    """What a handoff is and where it stands: its title, summary, fields, details and resolution."""
    state = clocks(handoff, matrix, now)
    area = matrix.area(handoff.area) if handoff.area else None
    fields = [
        f"*Requester*\n{mention(handoff.requester)} ({handoff.requester_side})",
        f"*To*\n{party(matrix, handoff.target)}" + (f" · {escape(area.name)}" if area else ""),
        f"*Assignee*\n{mention(handoff.assignee) if handoff.assignee else 'nobody yet'}",
        f"*Status*\n{STATUS_WORDS[handoff.status]}",
    ]
    if state:
        fields += [
            f"*Respond*\n{clock_text(state.respond, matrix.timezone, now)}",
            f"*Resolve*\n{clock_text(state.resolve, matrix.timezone, now)}",
        ]
    blocks = [header(title(handoff)), section(f"*{truncate(user_text(handoff.summary), 2500)}*", fields)]
    if handoff.details:
        blocks.append(section(user_text(handoff.details)))
    if handoff.resolution:
        blocks.append(section(f"*Resolution:* {user_text(handoff.resolution)}"))
    return blocks


def _opened(matrix: Matrix, handoff: Handoff) -> str:
    return f"Opened {local_time(handoff.opened_at, matrix.timezone)} · {escape(matrix.name)}"


def root_blocks(matrix: Matrix, handoff: Handoff, now: datetime) -> list[dict]:
    """The root message in the channel: the summary, the buttons for its status, when it opened."""
    blocks = _summary_blocks(matrix, handoff, now)
    value = HandoffRef(handoff.number, handoff.version).value  # a click names the version it was made on
    buttons = [
        button(BUTTON_LABELS[a][0], ids.HANDOFF_BUTTONS[a], value, BUTTON_LABELS[a][1])
        for a in available_actions(handoff)
    ]
    if buttons:
        blocks.append(actions(*buttons, block_id=f"handoff-{handoff.id}"))
    blocks.append(context(f"{_opened(matrix, handoff)} · v{handoff.version}"))
    return blocks


def root_text(handoff: Handoff) -> str:
    return f"{title(handoff)}: {truncate(user_text(handoff.summary), 200)} — {handoff.status.replace('_', ' ')}"


def _addressed_to(matrix: Matrix, handoff: Handoff) -> str:
    area = matrix.area(handoff.area) if handoff.area else None
    return escape(area.name) if area else party(matrix, handoff.target)


def opened_thread_text(matrix: Matrix, handoff: Handoff, ping: Ping, now: datetime) -> str:
    """The first reply in the thread: who is pinged and, when nobody was on duty, why and who instead."""
    state = clocks(handoff, matrix, now)
    due = f" Respond by {local_time(state.respond.due_at, matrix.timezone)}." if state and state.respond.due_at else ""
    notes = "".join(f" {line}" for line in ping_sentences(matrix, _addressed_to(matrix, handoff), ping))
    return (
        f"{mentions(ping.people)}: new {handoff.kind} from {mention(handoff.requester)}, {handoff.priority}.{due}"
        f"{notes} Use the buttons above."
    )


def changed_thread_text(handoff: Handoff, transition: Transition) -> str:
    if transition.action == "wait":  # the requester, often on the other side of the gap, is the one to act
        text = (
            f"{mention(transition.actor)} is waiting on {mention(handoff.requester)}, who asked; "
            "the resolve clock is paused until someone presses Resume."
        )
    else:
        text = f"{mention(transition.actor)} {DONE_VERBS[transition.action]}."
    if transition.action == "hand_back":
        text += f" Over to you, {mention(handoff.requester)}."
    if transition.note:
        text += f" “{user_text(transition.note)}”"
    return text


def opened_reply(matrix: Matrix, handoff: Handoff, ping: Ping, named: Area | None = None) -> Reply:
    """The requester's confirmation; `named`: the area the summary opens with, when it went to a side."""
    text = f"Opened {title(handoff)} in <#{handoff.channel}> and pinged {mentions(ping.people)}."
    notes = ping_sentences(matrix, _addressed_to(matrix, handoff), ping)
    if named is not None:
        notes.append(
            f"To send it to whoever is on duty for {escape(named.name)} instead, start it with `{named.key}:` "
            f"(`/handoff {named.key}: …`)."
        )
    blocks = [section(f":handshake: {text}")] + ([context(*notes)] if notes else [])
    return Reply(" ".join([text, *notes]), blocks)


def handoff_line(matrix: Matrix, h: Handoff, now: datetime, clock: str | None = None) -> str:
    """One line per handoff, with one named clock: `clock` ("respond" or "resolve") when
    given, else the one that matters now (respond until it stops, then resolve)."""
    state = clocks(h, matrix, now)
    if state is None:
        shown = "no SLA"
    else:
        clock = clock or ("resolve" if state.respond.stopped else "respond")
        running = state.resolve if clock == "resolve" else state.respond
        shown = f"{clock}: {clock_text(running, matrix.timezone, now)}"
    who = mention(h.assignee) if h.assignee else party(matrix, h.target)
    return f"• *#{h.id}* {h.priority} {truncate(user_text(h.summary), 80)} — {who} — {shown}"


def _listing(matrix: Matrix, overview, count: int | None) -> str:
    """ "3 open handoffs with Red Kite IT (provider), 1 breached", or "No breached open handoffs of yours"."""
    only = overview.only
    breached_only = bool(only and only.breached_at)
    words = f"{'breached ' if breached_only else ''}open handoff{'' if count == 1 else 's'}"
    if only and only.person:
        words += " of yours"
    if only and only.side and (side := matrix.side(only.side)):
        words += f" with {side.name} ({side.key})"
    if count is None:
        return f"No {words}"
    return f"{count} {words}" + ("" if breached_only else f", {overview.breached} breached")


def sla_reply(matrix: Matrix, overview, now: datetime) -> Reply:
    """The open handoffs, most urgent first, then the overflow waiting for approval (which is
    no handoff yet, but work someone waits on all the same)."""
    waiting = waiting_sla(overview.awaiting, overview.deciders) if overview.awaiting else None
    if not overview.open:
        text = escape(_listing(matrix, overview, None)) + "."
        if waiting is None:
            return Reply(text, [section(f":sparkles: {text}")])
        return Reply(f"{text} {waiting}", [section(text), section(f":hourglass_flowing_sand: {waiting}")])
    lines = [handoff_line(matrix, h, now) for h in overview.most_urgent]
    summary = _listing(matrix, overview, overview.open)
    blocks = [header(summary)]
    blocks += [section("\n".join(lines[i : i + 20])) for i in range(0, len(lines), 20)]
    if overview.open > len(lines):
        blocks.append(context(f"Showing the {len(lines)} most urgent of {overview.open}."))
    if waiting is not None:
        blocks.append(section(f":hourglass_flowing_sand: {waiting}"))
    if overview.only is None:
        blocks.append(context("Narrow it: `/tandem sla breached`, `mine`, `internal` or `provider`."))
    return Reply(escape(summary) + (f". {waiting}" if waiting else ""), blocks)


def status_reply(matrix: Matrix, handoff: Handoff, now: datetime) -> Reply:
    """The root message's content without its buttons (they live on the root message only)."""
    blocks = [*_summary_blocks(matrix, handoff, now), context(f"Status of #{handoff.id} · {_opened(matrix, handoff)}")]
    return Reply(root_text(handoff), blocks, public=True)


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, element: dict, optional: bool = False) -> dict:
    return {"type": "input", "block_id": block_id, "label": _plain(label), "element": element, "optional": optional}


def new_handoff_modal(
    matrix: Matrix, area_key: str | None = None, summary: str = "", channel: str | None = None
) -> dict:
    priorities = [{"text": _plain(p), "value": p} for p in PRIORITIES if matrix.sla.target(p)]
    area_options = [{"text": _plain(truncate(a.name, 75)), "value": a.key} for a in matrix.areas[:100]]
    area_element: dict[str, Any] = {"type": "static_select", "action_id": "area", "options": area_options}
    if area_key and matrix.area(area_key):
        area_element["initial_option"] = next(o for o in area_options if o["value"] == area_key)
    default = next(o for o in priorities if o["value"] == matrix.sla.default)
    return {
        "type": "modal",
        "callback_id": ids.VIEW_NEW_HANDOFF,
        "title": _plain("New handoff"),
        "submit": _plain("Open handoff"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"channel": channel}),
        "blocks": [
            _input(
                "summary",
                "Summary",
                {
                    "type": "plain_text_input",
                    "action_id": "summary",
                    "max_length": 300,
                    **({"initial_value": summary[:300]} if summary else {}),
                },
            ),
            _input(
                "details",
                "Details",
                {"type": "plain_text_input", "action_id": "details", "multiline": True, "max_length": 2500},
                optional=True,
            ),
            _input(
                "priority",
                "Priority",
                {"type": "static_select", "action_id": "priority", "options": priorities, "initial_option": default},
            ),
            _input("area", "Area", area_element, optional=True),
            _input("assignee", "Assignee", {"type": "users_select", "action_id": "assignee"}, optional=True),
        ],
    }


def resolve_modal(handoff_id: int, version: int | None, channel: str | None, ask_hours: bool = False) -> dict:
    """The resolution note for the version of the handoff the Resolve button was pressed on, and the
    hours spent when the matrix keeps a bank and the resolver logs hours."""
    blocks = [
        _input(
            "resolution",
            "How was it resolved?",
            {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 1000},
        )
    ]
    if ask_hours:
        blocks.append(
            {
                **_input(
                    "hours",
                    "Hours spent",
                    {
                        "type": "plain_text_input",
                        "action_id": "hours",
                        "max_length": 20,
                        "placeholder": _plain("e.g. 1.5h or 90m"),
                    },
                    optional=True,
                ),
                "hint": _plain("Logged against the contract's bank of hours, as audit evidence."),
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.VIEW_RESOLVE_HANDOFF,
        "title": _plain(f"Resolve #{handoff_id}"[:24]),
        "submit": _plain("Resolve"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"handoff": handoff_id, "version": version, "channel": channel}),
        "blocks": blocks,
    }
