"""Block Kit refusals for the Slack stand-in: what Slack answers `invalid_blocks` /
`invalid_arguments` / `msg_too_long` to.

Why a table and not a JSON schema: tests need the stand-in to catch the mistakes a bot
really makes (unknown block or element types, over-long text, duplicate ids, too many
blocks) with Slack-style error strings, and a reviewer must be able to check every number
against /work/shared/slack/limits/blockkit_limits.json at a glance.
"""

from __future__ import annotations

from typing import Any

# Block type -> text limits, list limits, per-item text limits, where its elements live.
BLOCKS: dict[str, dict[str, Any]] = {
    "section": {"text": {"text": 3000}, "lists": {"fields": 10}, "items": {"fields": 2000}, "elements": ("accessory",)},
    "header": {"text": {"text": 150}, "plain": ("text",)},
    "context": {"lists": {"elements": 10}, "elements": ("elements",), "context": True},
    "actions": {"lists": {"elements": 25}, "elements": ("elements",)},
    "input": {"text": {"label": 2000, "hint": 2000}, "elements": ("element",)},
    "image": {"text": {"alt_text": 2000, "title": 2000, "image_url": 3000}},
    "markdown": {"text": {"text": 12000}},
    "video": {"text": {"title": 200, "author_name": 50}},
    "table": {"lists": {"rows": 100}},
    "divider": {},
    "file": {},
    "rich_text": {},
}
ELEMENTS = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "external_select",
    "file_input",
    "image",
    "multi_channels_select",
    "multi_conversations_select",
    "multi_external_select",
    "multi_static_select",
    "multi_users_select",
    "number_input",
    "overflow",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "static_select",
    "timepicker",
    "url_text_input",
    "users_select",
    "channels_select",
    "conversations_select",
    "workflow_button",
}
CONTEXT_ELEMENTS = {"image", "plain_text", "mrkdwn"}  # context holds text objects/images
# plain_text/mrkdwn: context text objects; 3000 is Slack's general text-object maximum.
ELEMENT_TEXT = {
    "button": {"text": 75, "value": 2000, "url": 3000},
    "plain_text": {"text": 3000},
    "mrkdwn": {"text": 3000},
    "image": {"alt_text": 2000},
}
ANY_ELEMENT_TEXT = {"placeholder": 150, "action_id": 255}
OPTION_TEXT = {"text": 75, "value": 150}
MESSAGE_BLOCKS_MAX, VIEW_BLOCKS_MAX, TEXT_MAX, VIEW_LABEL_MAX = 50, 100, 40000, 24


def _text(value: Any) -> str:
    """Text objects are dicts ({type, text}); a few fields (alt_text, url) are strings."""
    return value.get("text", "") if isinstance(value, dict) else str(value)


def _too_long(value: Any, limit: int, ptr: str) -> list[str]:
    if value is not None and len(_text(value)) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{ptr}]"]
    return []


def validate_blocks(blocks: Any, max_blocks: int, prefix: str = "") -> list[str]:
    """Return Slack-style error strings for `blocks`; an empty list means acceptable.

    Deliberately a table walk, not a schema: it catches the mistakes a bot really makes
    (unknown types, over-long text, duplicate ids, too many blocks).
    """
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{prefix}/blocks]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"must provide at most {max_blocks} items [json-pointer:{prefix}/blocks]")
    seen_actions: set[str] = set()
    seen_blocks: set[str] = set()

    def element(el: Any, ptr: str, allowed: set[str]) -> None:
        kind = el.get("type") if isinstance(el, dict) else None
        if kind not in allowed:
            errors.append(f"failed to match all allowed schemas [json-pointer:{ptr}]")
            return
        for name, limit in {**ANY_ELEMENT_TEXT, **ELEMENT_TEXT.get(kind, {})}.items():
            errors.extend(_too_long(el.get(name), limit, f"{ptr}/{name}"))
        for i, opt in enumerate(el.get("options") or []):
            for name, limit in OPTION_TEXT.items():
                errors.extend(_too_long(opt.get(name), limit, f"{ptr}/options/{i}/{name}"))
        action_id = el.get("action_id")
        if action_id is not None:
            if action_id in seen_actions:
                errors.append(f"duplicate action_id {action_id!r} [json-pointer:{ptr}/action_id]")
            seen_actions.add(action_id)

    for i, block in enumerate(blocks):
        ptr = f"{prefix}/blocks/{i}"
        rule = BLOCKS.get(block.get("type")) if isinstance(block, dict) else None
        if rule is None:
            errors.append(f"failed to match all allowed schemas [json-pointer:{ptr}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            errors.extend(_too_long(block_id, 255, f"{ptr}/block_id"))
            if block_id in seen_blocks:
                errors.append(f"duplicate block_id {block_id!r} [json-pointer:{ptr}/block_id]")
            seen_blocks.add(block_id)
        for name, limit in rule.get("text", {}).items():
            errors.extend(_too_long(block.get(name), limit, f"{ptr}/{name}/text"))
        for name in rule.get("plain", ()):
            if (block.get(name) or {}).get("type") != "plain_text":
                errors.append(f"must be plain_text [json-pointer:{ptr}/{name}/type]")
        for name, limit in rule.get("lists", {}).items():
            if len(block.get(name) or []) > limit:
                errors.append(f"must provide at most {limit} items [json-pointer:{ptr}/{name}]")
        for name, limit in rule.get("items", {}).items():
            for j, item in enumerate(block.get(name) or []):
                errors.extend(_too_long(item, limit, f"{ptr}/{name}/{j}/text"))
        if block["type"] == "section" and not block.get("text") and not block.get("fields"):
            errors.append(f"must provide text or fields [json-pointer:{ptr}]")
        allowed = CONTEXT_ELEMENTS if rule.get("context") else ELEMENTS
        for name in rule.get("elements", ()):
            value = block.get(name)
            if isinstance(value, list):
                for j, el in enumerate(value):
                    element(el, f"{ptr}/{name}/{j}", allowed)
            elif value is not None:
                element(value, f"{ptr}/{name}", allowed)
    return errors


def validate_view(view: Any) -> list[str]:
    """Errors for a modal or Home view, as views.open/update/publish report them."""
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        return ["must be a modal or home view [json-pointer:/view/type]"]
    errors = validate_blocks(view.get("blocks", []), VIEW_BLOCKS_MAX, "/view")
    for name in ("title", "submit", "close"):
        errors.extend(_too_long(view.get(name), VIEW_LABEL_MAX, f"/view/{name}/text"))
    errors.extend(_too_long(view.get("private_metadata"), 3000, "/view/private_metadata"))
    errors.extend(_too_long(view.get("callback_id"), 255, "/view/callback_id"))
    if view["type"] == "modal" and not view.get("title"):
        errors.append("missing required field: title [json-pointer:/view]")
    if (
        view["type"] == "modal"
        and not view.get("submit")
        and any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks", []))
    ):
        errors.append("must provide submit when using input blocks [json-pointer:/view]")
    if view["type"] == "home" and (view.get("submit") or view.get("close")):
        errors.append("home views cannot have submit or close [json-pointer:/view]")
    return errors


def validate_message(body: dict) -> dict | None:
    """None if Slack would accept this message body, else the error reply."""
    if len(str(body.get("text") or "")) > TEXT_MAX:
        return {"ok": False, "error": "msg_too_long"}
    if "blocks" in body:
        errors = validate_blocks(body["blocks"], MESSAGE_BLOCKS_MAX)
        if errors:
            return {
                "ok": False,
                "error": "invalid_blocks",
                "errors": errors,
                "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
            }
    return None
