"""Slash commands, all through `handlers/commands/slash.py`.

`/owner` and the reading `/tandem` sub-commands are answered in the acknowledgement;
`/handoff`, `/overflow` and the `/tandem` sub-commands that change or post something
acknowledge first and work afterwards (a lazy listener).
"""

from slack_bolt import App

from handlers import ids, parsed
from handlers.commands import slash
from handlers.errors import guarded


def register(app: App) -> None:
    app.command(ids.CMD_OWNER)(slash.answer)
    app.command(ids.CMD_TANDEM, matchers=[parsed.reads_only])(slash.answer)
    for command in (ids.CMD_HANDOFF, ids.CMD_OVERFLOW, ids.CMD_TANDEM):
        app.command(command)(ack=slash.acknowledge, lazy=[guarded(slash.work)])
