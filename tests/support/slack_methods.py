"""What the Slack stand-in answers for each Web API method, and the fake workspace state.

Why separate from the server: these are the Slack facts (reply shapes from
/work/shared/slack/web_api/responses.json and methods_subset.openapi2021.json, errors Slack
documents), kept apart from the HTTP plumbing so each can be read on its own. The
workspace is always T111 with the bot user W111 / bot B111, like the shared samples.

`WebApiMethods` is a mixin of `SlackStandIn`: its handlers run on server threads with the
stand-in's lock held, take the recorded `Call` and return the JSON reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .blockkit import validate_message, validate_view

if TYPE_CHECKING:
    from .slack_standin import Call

BOT_USER_ID, BOT_ID, TEAM_ID, APP_ID = "W111", "B111", "T111", "A111"
SCOPES = "app_mentions:read,chat:write,commands,files:write,channels:history,groups:history,channels:read,groups:read"  # mirrors manifest.yml
JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata")


@dataclass
class Upload:
    """A file handed out by files.getUploadURLExternal, its bytes, and its completion."""

    file_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel_id: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None
    completed: bool = False


class WebApiMethods:
    """Handlers for the methods the bot uses; state lives on the stand-in (see reset())."""

    _epoch: int
    _seq: int
    root_url: str
    messages: dict[tuple[str, str], dict]
    views: dict[str, dict]
    homes: dict[str, dict]
    uploads: dict[str, Upload]
    users: dict[str, dict]
    channels: dict[str, dict]

    def method_handlers(self) -> dict[str, Any]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "views.open": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "users.info": self._user_info,
            "conversations.info": self._conversation_info,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }

    def _next(self) -> int:
        self._seq += 1
        return self._seq

    def _auth_test(self, call: Call) -> dict:
        return {
            "ok": True,
            "url": "https://tandem-test.slack.com/",
            "team": "Tandem Test",
            "user": "tandem",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _post_message(self, call: Call, ephemeral: bool = False) -> dict:
        body = {**call.body, **{k: call.arg(k) for k in JSON_FIELDS if k in call.body}}
        if not body.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return {"ok": False, "error": "no_text"}
        refused = validate_message(body)
        if refused:
            return refused
        ts = f"{self._epoch}.{self._next():06d}"
        if ephemeral:
            return {"ok": True, "message_ts": ts}
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": ts,
            "text": body.get("text") or "",
        }
        message.update({k: body[k] for k in ("blocks", "attachments", "thread_ts", "metadata") if body.get(k)})
        self.messages[(body["channel"], ts)] = message
        return {"ok": True, "channel": body["channel"], "ts": ts, "message": message}

    def _channel_messages(self, channel: str) -> list[dict]:
        """Messages posted in `channel`, newest first (metadata kept, as with include_all_metadata)."""
        found = [m for (c, _), m in self.messages.items() if c == channel]
        return sorted(found, key=lambda m: float(m["ts"]), reverse=True)

    def _history(self, call: Call) -> dict:
        """Top-level messages only, as Slack returns them; `limit` honoured."""
        messages = [
            m for m in self._channel_messages(call.get("channel") or "") if m.get("thread_ts") in (None, m["ts"])
        ]
        return {"ok": True, "messages": messages[: int(call.get("limit") or 100)], "has_more": False}

    def _replies(self, call: Call) -> dict:
        parent = str(call.get("ts") or "")
        thread = [
            m
            for m in self._channel_messages(call.get("channel") or "")
            if m["ts"] == parent or m.get("thread_ts") == parent
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": sorted(thread, key=lambda m: float(m["ts"])), "has_more": False}

    def _post_ephemeral(self, call: Call) -> dict:
        return self._post_message(call, ephemeral=True)

    def _update(self, call: Call) -> dict:
        channel, ts = call.get("channel"), call.get("ts")
        if not channel or not ts:
            return {"ok": False, "error": "channel_not_found" if not channel else "message_not_found"}
        changes = {k: call.arg(k) for k in ("text", "blocks", "attachments", "metadata") if k in call.body}
        refused = validate_message(changes)
        if refused:
            return refused
        message = self.messages.setdefault(
            (channel, ts),
            {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "team": TEAM_ID, "ts": ts, "text": ""},
        )
        message.update(changes)
        message["edited"] = {"user": BOT_USER_ID, "ts": f"{self._epoch}.{self._next():06d}"}
        return {"ok": True, "channel": channel, "ts": ts, "text": message.get("text", ""), "message": message}

    def _permalink(self, call: Call) -> dict:
        channel, ts = call.get("channel"), str(call.get("message_ts") or "")
        if not channel or not ts:
            return {"ok": False, "error": "channel_not_found" if not channel else "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "permalink": f"https://tandem-test.slack.com/archives/{channel}/p{ts.replace('.', '')}",
        }

    def _view(self, call: Call) -> dict:
        """views.open / views.update / views.publish share validation and storage."""
        view, method = call.view, call.method
        required = {
            "views.open": ("trigger_id",),
            "views.publish": ("user_id",),
            "views.update": ("view_id", "external_id"),
        }[method]
        errors = [] if any(call.get(k) for k in required) else [f"missing required field: {' or '.join(required)}"]
        errors += validate_view(view)
        if method == "views.publish" and view.get("type") != "home":
            errors.append("must be a home view [json-pointer:/view/type]")
        if errors:
            return {
                "ok": False,
                "error": "invalid_arguments",
                "response_metadata": {"messages": [f"[ERROR] {e}" for e in errors]},
            }
        view_id = call.get("view_id") or self._view_id_for(call) or f"V{self._next():08d}"
        previous = self.views.get(view_id, {})
        stored = {
            "state": {"values": {}},
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            "previous_view_id": None,
            **view,
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": f"{self._epoch}.{self._next():08x}",
            "root_view_id": previous.get("root_view_id", view_id),
        }
        self.views[view_id] = stored
        if method == "views.publish":
            self.homes[call["user_id"]] = stored
        return {"ok": True, "view": stored}

    def _view_id_for(self, call: Call) -> str | None:
        """An existing view addressed by external_id, or the user's published Home."""
        external_id = call.get("external_id")
        for view in self.views.values():
            if external_id and view.get("external_id") == external_id:
                return view["id"]
        if call.method == "views.publish":
            return self.homes.get(call["user_id"], {}).get("id")
        return None

    def _user_info(self, call: Call) -> dict:
        uid = call.get("user")
        if not uid:
            return {"ok": False, "error": "user_not_found"}
        profile = {"real_name": f"User {uid}", "display_name": uid.lower(), "team": TEAM_ID}
        user = {
            "id": uid,
            "team_id": TEAM_ID,
            "name": uid.lower(),
            "real_name": f"User {uid}",
            "deleted": False,
            "is_bot": uid == BOT_USER_ID,
            "is_admin": False,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "profile": profile,
        }
        return {"ok": True, "user": {**user, **self.users.get(uid, {})}}

    def _conversation_info(self, call: Call) -> dict:
        cid = call.get("channel")
        if not cid:
            return {"ok": False, "error": "channel_not_found"}
        channel = {
            "id": cid,
            "name": cid.lower(),
            "is_channel": True,
            "is_private": False,
            "is_archived": False,
            "is_member": True,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": self._epoch,
        }
        return {"ok": True, "channel": {**channel, **self.channels.get(cid, {})}}

    def _get_upload_url(self, call: Call) -> dict:
        if not call.get("filename") or not str(call.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._next():08d}"
        self.uploads[file_id] = Upload(file_id, call["filename"], int(call["length"]))
        return {"ok": True, "upload_url": f"{self.root_url}/upload/v1/{file_id}", "file_id": file_id}

    def _complete_upload(self, call: Call) -> dict:
        files = call.arg("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        done = []
        for item in files:
            upload = self.uploads.get(item.get("id", ""))
            if upload is None or upload.content is None:
                return {"ok": False, "error": "file_not_found"}
            upload.title = item.get("title") or upload.filename
            upload.channel_id = call.get("channel_id")
            upload.thread_ts = call.get("thread_ts")
            upload.initial_comment = call.get("initial_comment")
            upload.completed = True
            done.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": upload.title,
                    "size": len(upload.content),
                    "user": BOT_USER_ID,
                    "channels": [upload.channel_id] if upload.channel_id else [],
                }
            )
        return {"ok": True, "files": done}
