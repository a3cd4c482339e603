"""What each listener reads from a Slack request, checked and typed before any listener runs.

Slack's payloads are trusted for shape only after the signature check, and even then a
replayed, hand-made or truncated body can lack a field or carry a number where a string
belongs. `read(body)` turns a request into one small value per kind (a slash command, a
mention, a button press, a modal submission …) or raises `Malformed`, which the
`ReadInputs` middleware answers with a 400 before the acknowledgement. Listeners read
these values only, never the raw body, so no listener crashes on a missing key, and every
text is cleaned of control characters and bounded (`bot.text.clean`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.text import clean
from handlers import ids

SLACK_ID = re.compile(r"^[A-Z0-9]{2,32}$")
TS = re.compile(r"^\d{1,12}\.\d{1,9}$")
HANDOFF_VALUE = re.compile(r"^([0-9]{1,9})(?::([0-9]{1,9}))?$")  # "12", or "12:3" with the version shown
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")  # area and review keys
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)


class Malformed(ValueError):
    """A request that is not what Slack sends; the message names the field."""


@dataclass(frozen=True)
class HandoffRef:
    """A handoff as a button or modal names it: its number, and the version the person saw."""

    number: int
    version: int | None = None  # None: a message from before versions were shown

    @property
    def value(self) -> str:
        return f"{self.number}" if self.version is None else f"{self.number}:{self.version}"


@dataclass(frozen=True)
class ReviewRef:
    key: str
    due_at: datetime


@dataclass(frozen=True)
class SlashCommand:
    command: str
    text: str
    user: str
    channel: str | None
    response_url: str | None
    trigger_id: str | None


@dataclass(frozen=True)
class Mention:
    text: str
    user: str
    channel: str
    ts: str
    thread_ts: str | None


@dataclass(frozen=True)
class HomeOpened:
    user: str
    tab: str


@dataclass(frozen=True)
class Press:
    """A button click on a message (or in a modal, with no channel)."""

    action_id: str
    value: str
    user: str
    channel: str | None
    message_ts: str | None
    trigger_id: str | None
    response_url: str | None
    handoff: HandoffRef | None = None  # the handoff buttons
    review: ReviewRef | None = None  # Mark done
    request: int | None = None  # Approve and Decline: the held overflow request's number
    change: int | None = None  # Confirm: the matrix change's number


@dataclass(frozen=True)
class Shortcut:
    callback_id: str
    user: str
    trigger_id: str
    channel: str | None
    message_text: str


@dataclass(frozen=True)
class Submission:
    """A modal submitted: the fields of Tandem's modals, read and typed (`FORMS`)."""

    callback_id: str
    user: str
    fields: dict[str, str | None]
    channel: str | None
    message_ts: str | None = None
    handoff: HandoffRef | None = None  # the resolution note
    review: ReviewRef | None = None  # the review evidence
    request: int | None = None  # the decline reason: the held overflow request's number

    def text(self, name: str) -> str:
        return self.fields.get(name) or ""


# Each modal's fields: name -> (block_id, action_id, kind, limit); limits are the views' max_length.
FORMS: dict[str, dict[str, tuple[str, str, str, int]]] = {
    ids.VIEW_NEW_HANDOFF: {
        "summary": ("summary", "summary", "text", 300),
        "details": ("details", "details", "text", 2500),
        "priority": ("priority", "priority", "select", 8),
        "area": ("area", "area", "select", 64),
        "assignee": ("assignee", "assignee", "user", 0),
    },
    ids.VIEW_RESOLVE_HANDOFF: {"note": ("resolution", "note", "text", 1000), "hours": ("hours", "hours", "text", 20)},
    ids.VIEW_REVIEW_DONE: {"evidence": ("evidence", "evidence", "text", 2000)},
    ids.VIEW_OVERFLOW_DECLINE: {"reason": ("reason", "reason", "text", 1000)},
}


def _field(values: dict[str, Any], block: str, action: str, kind: str, limit: int) -> str | None:
    """One input's value: a text (cleaned), a select's option value, or a chosen user id."""
    leaf = (values.get(block) or {}).get(action) or {}
    where = f"view.state.values.{block}.{action}"
    if not isinstance(leaf, dict):
        raise Malformed(f"{where} is not an object")
    if kind == "text":
        value = leaf.get("value")
        if value is not None and not isinstance(value, str):
            raise Malformed(f"{where}.value is not a string")
        return clean(value or "", limit)
    if kind == "select":
        option = leaf.get("selected_option")
        if option is None:
            return None
        if not isinstance(option, dict) or not isinstance(option.get("value"), str) or len(option["value"]) > limit:
            raise Malformed(f"{where}.selected_option has no value")
        return option["value"]
    chosen = leaf.get("selected_user")
    return None if chosen is None else _id(chosen, f"{where}.selected_user")


@dataclass(frozen=True)
class Joined:
    """Someone (perhaps Tandem itself) joined a channel."""

    user: str
    channel: str


@dataclass(frozen=True)
class Origin:
    """Which installation a request reached and which workspace the person acted from.

    In a Slack Connect channel these differ: a provider engineer from their own workspace
    presses a button on the client's installation. `team` is the installation's workspace
    (or Enterprise Grid org, for an org-wide install, whichever of its workspaces the request
    names), as Bolt finds its token; `actor_team` is the person's home workspace when the
    payload says (`user_team`, `user.team_id`).
    """

    team: str | None = None
    actor_team: str | None = None
    org_wide: bool = False  # `team` is an Enterprise Grid org, installed for all its workspaces

    @property
    def external(self) -> bool:
        """The person acts from a workspace other than the installation's. On an org-wide install
        that is every workspace but the org's id itself, and payloads do not say which org a
        workspace belongs to: Slack is asked (`handlers.middleware.strangers`)."""
        return bool(self.team and self.actor_team and self.actor_team != self.team)


def origin(body: dict[str, Any]) -> Origin:
    """The request's `Origin`; fields of the wrong shape were refused at the HTTP door."""
    authorizations = body.get("authorizations")
    first = authorizations[0] if isinstance(authorizations, list) and authorizations else {}
    view = _maybe_object(body, "view")
    event = _maybe_object(body, "event")
    enterprise = _nested_id(body, "enterprise") or first.get("enterprise_id") or body.get("enterprise_id")
    # An org-wide app is installed for the org: requests name a workspace too (the one the
    # person typed in), but the installation, and the matrices bound to it, are the org's.
    org_wide = first.get("is_enterprise_install") is True or body.get("is_enterprise_install") in (True, "true")
    installation = (enterprise if org_wide else None) or (
        view.get("app_installed_team_id")
        or _nested_id(body, "team")
        or first.get("team_id")
        or body.get("team_id")
        or enterprise
    )
    user = _maybe_object(body, "user")
    actor = user.get("team_id") or event.get("user_team") or event.get("team")
    if "command" in body:
        actor = body.get("team_id")
    org_wide = bool(org_wide and enterprise)
    return Origin(_optional_id(installation, "team"), _optional_id(actor, "user team"), org_wide)


Input = SlashCommand | Mention | HomeOpened | Press | Shortcut | Submission | Joined
T = TypeVar("T", SlashCommand, Mention, HomeOpened, Press, Shortcut, Submission, Joined)


def of(context: dict[str, Any], kind: type[T]) -> T:
    """The request's input, of the kind the listener was registered for (`ReadInputs` put it there)."""
    value = context.get("input")
    if not isinstance(value, kind):
        raise TypeError(f"expected a {kind.__name__} input, got {type(value).__name__}")
    return value


def read(body: dict[str, Any]) -> Input | None:
    """The typed input of a request Tandem listens to; None for requests it does not read."""
    if "command" in body:
        return _command(body)
    kind = body.get("type")
    if kind == "event_callback":
        return _event(_object(body, "event"))
    if kind == "block_actions":
        return _press(body)
    if kind in ("shortcut", "message_action"):
        return _shortcut(body)
    if kind == "view_submission":
        return _submission(body)
    return None


def _command(body: dict[str, Any]) -> SlashCommand:
    return SlashCommand(
        command=_str(body, "command", 32),
        text=clean(_optional_str(body, "text") or ""),
        user=_id(body.get("user_id"), "user_id"),
        channel=_optional_id(body.get("channel_id"), "channel_id"),
        response_url=_url(body.get("response_url"), "response_url"),
        trigger_id=_optional_str(body, "trigger_id", 200),
    )


def _event(event: dict[str, Any]) -> Input | None:
    kind = event.get("type")
    if kind == "app_mention":
        return Mention(
            text=clean(_optional_str(event, "text") or ""),
            user=_id(event.get("user"), "event.user"),
            channel=_id(event.get("channel"), "event.channel"),
            ts=_ts(event.get("ts"), "event.ts"),
            thread_ts=_optional_ts(event.get("thread_ts"), "event.thread_ts"),
        )
    if kind == "app_home_opened":
        return HomeOpened(_id(event.get("user"), "event.user"), _optional_str(event, "tab", 32) or "home")
    if kind == "member_joined_channel":
        return Joined(_id(event.get("user"), "event.user"), _id(event.get("channel"), "event.channel"))
    return None


def _press(body: dict[str, Any]) -> Press:
    action = body["actions"][0]  # a non-empty list of objects: checked at the HTTP door
    action_id = _str(action, "action_id", 255)
    value = clean(_optional_str(action, "value", 2000) or "", 2000)
    message = _maybe_object(body, "message")
    press = Press(
        action_id=action_id,
        value=value,
        user=_id(_object(body, "user").get("id"), "user.id"),
        channel=_optional_id(_nested_id(body, "channel"), "channel.id"),
        message_ts=_optional_ts(message.get("ts"), "message.ts"),
        trigger_id=_optional_str(body, "trigger_id", 200),
        response_url=_url(body.get("response_url"), "response_url"),
    )
    if action_id in ids.HANDOFF_BUTTONS.values():
        return replace(press, handoff=handoff_ref(value, "actions[0].value"))
    if action_id == ids.ACTION_CONFIRM_MATRIX:
        return replace(press, change=_number(value, "actions[0].value"))
    if action_id in ids.OVERFLOW_BUTTONS.values():
        return replace(press, request=_number(value, "actions[0].value"))
    if action_id == ids.ACTION_REVIEW_DONE:
        key, _, due = value.partition("|")
        return replace(press, review=_review(key, due, "actions[0].value"))
    if action_id == ids.ACTION_START_HANDOFF and value and not KEY.match(value):
        raise Malformed("actions[0].value is not an area key")
    return press


def _shortcut(body: dict[str, Any]) -> Shortcut:
    message = _maybe_object(body, "message")
    text = message.get("text")
    return Shortcut(
        callback_id=_str(body, "callback_id", 255),
        user=_id(_object(body, "user").get("id"), "user.id"),
        trigger_id=_str(body, "trigger_id", 200),
        channel=_optional_id(_nested_id(body, "channel"), "channel.id"),
        message_text=clean(text if isinstance(text, str) else "", 300),
    )


def _submission(body: dict[str, Any]) -> Submission:
    view = _object(body, "view")
    callback_id = _str(view, "callback_id", 255)
    state = view.get("state") or {}
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise Malformed("view.state.values is not an object of blocks")
    meta = _metadata(view.get("private_metadata"), callback_id)
    fields = {name: _field(values, *spec) for name, spec in FORMS.get(callback_id, {}).items()}
    submission = Submission(
        callback_id=callback_id,
        user=_id(_object(body, "user").get("id"), "user.id"),
        fields=fields,
        channel=_optional_id(meta.get("channel"), "private_metadata.channel"),
        message_ts=_optional_ts(meta.get("ts"), "private_metadata.ts"),
    )
    if callback_id == ids.VIEW_RESOLVE_HANDOFF:
        number, version = meta.get("handoff"), meta.get("version")
        ref = f"{number}" if version is None else f"{number}:{version}"
        return replace(submission, handoff=handoff_ref(ref, "private_metadata.handoff"))
    if callback_id == ids.VIEW_REVIEW_DONE:
        review = _review(meta.get("review"), meta.get("due_at"), "private_metadata")
        return replace(submission, review=review)
    if callback_id == ids.VIEW_OVERFLOW_DECLINE:
        return replace(submission, request=_number(meta.get("request"), "private_metadata.request"))
    return submission


def _number(value: Any, where: str) -> int:
    """A stored record's number, as a button value ("12") or in a modal's metadata (12)."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not re.fullmatch(r"[1-9][0-9]{0,8}", text):
        raise Malformed(f"{where} is not a number Tandem gave")
    return int(text)


def handoff_ref(value: str, where: str) -> HandoffRef:
    match = HANDOFF_VALUE.match(value)
    if not match:
        raise Malformed(f"{where} is not a handoff number")
    return HandoffRef(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def _review(key: Any, due: Any, where: str) -> ReviewRef:
    if not isinstance(key, str) or not KEY.match(key) or not isinstance(due, str):
        raise Malformed(f"{where} does not name a review and its due time")
    try:
        due_at = datetime.fromisoformat(due)
    except ValueError as error:
        raise Malformed(f"{where} has no due time") from error
    if due_at.tzinfo is None or not EARLIEST <= due_at <= LATEST:
        raise Malformed(f"{where} has a due time out of range")
    return ReviewRef(key, due_at)


def _metadata(raw: Any, callback_id: str) -> dict[str, Any]:
    """A Tandem modal's private metadata (JSON written by its views); a view of ours needs it."""
    ours = callback_id in (ids.VIEW_RESOLVE_HANDOFF, ids.VIEW_REVIEW_DONE, ids.VIEW_OVERFLOW_DECLINE)
    if not raw:
        if ours:
            raise Malformed("view.private_metadata is empty")
        return {}
    try:
        data = json.loads(raw) if isinstance(raw, str) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise Malformed("view.private_metadata is not Tandem's")
    return data


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if not isinstance(value, dict):
        raise Malformed(f"{name} is missing")
    return value


def _maybe_object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _nested_id(body: dict[str, Any], name: str) -> Any:
    value = body.get(name)
    return value.get("id") if isinstance(value, dict) else value


def _str(obj: dict[str, Any], name: str, limit: int | None = None) -> str:
    value = _optional_str(obj, name, limit)
    if not value:
        raise Malformed(f"{name} is missing")
    return value


def _optional_str(obj: dict[str, Any], name: str, limit: int | None = None) -> str | None:
    value = obj.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(f"{name} is not a string")
    if limit is not None and len(value) > limit:
        raise Malformed(f"{name} is longer than {limit} characters")
    return value


def _id(value: Any, where: str) -> str:
    if not isinstance(value, str) or not SLACK_ID.match(value):
        raise Malformed(f"{where} is not a Slack id")
    return value


def _optional_id(value: Any, where: str) -> str | None:
    return None if value in (None, "") else _id(value, where)


def _ts(value: Any, where: str) -> str:
    if not isinstance(value, str) or not TS.match(value):
        raise Malformed(f"{where} is not a Slack message timestamp")
    return value


def _optional_ts(value: Any, where: str) -> str | None:
    return None if value is None else _ts(value, where)


def _url(value: Any, where: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not value.startswith(("https://", "http://")) or len(value) > 2000:
        raise Malformed(f"{where} is not a URL")
    return value
