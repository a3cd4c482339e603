"""Slash commands: `/owner`, `/handoff`, `/overflow`, `/tandem` all go to `slash.slash_command`."""

from slack_bolt import App

from handlers import ids
from handlers.commands.slash import slash_command


def register(app: App) -> None:
    for command in ids.COMMANDS:
        app.command(command)(slash_command)
