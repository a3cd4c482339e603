"""Slash commands: `/owner`, `/handoff`, `/overflow`, `/tandem` all go to `slash`."""

from slack_bolt import App

from handlers import ids
from handlers.commands import slash


def register(app: App) -> None:
    for command in ids.COMMANDS:
        app.command(command)(ack=slash.acknowledge, lazy=[slash.work])
