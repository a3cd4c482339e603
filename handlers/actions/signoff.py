"""Confirm on a change to who owns what: one admin of each side presses it."""

from __future__ import annotations

from typing import Any

from bot.services import signoff
from handlers import inputs
from handlers.inputs import Press


def confirm_button(context: dict[str, Any]) -> None:
    press = inputs.of(context, Press)
    if press.change is None:  # ReadInputs sets it for this button
        raise TypeError("no matrix change in this request")
    where = (press.channel, press.message_ts) if press.channel and press.message_ts else None
    signoff.press(context["tandem"], press.change, press.user, press.channel, where)
