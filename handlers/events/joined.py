"""`member_joined_channel`: when Tandem itself is invited to a channel, what it held for that
channel (it was not a member, or could not see it) is posted now, in order."""

from __future__ import annotations

from typing import Any

from bot.services.schedule import release
from handlers import inputs
from handlers.inputs import Joined
from handlers.middleware.once import finish_event


def member_joined_channel(context: dict[str, Any]) -> None:
    joined = inputs.of(context, Joined)
    if joined.user == context.get("bot_user_id"):
        release(context["tandem"], joined.channel)
    finish_event(context)
