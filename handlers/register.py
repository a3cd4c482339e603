"""Register every middleware and listener on a Bolt app, explicitly and in one place."""

from slack_bolt import App

from bot.runtime import Runtime
from handlers import actions, commands, events, middleware
from handlers.errors import on_error


def register(app: App, runtime: Runtime) -> None:
    app.error(on_error)
    middleware.register(app, runtime)
    commands.register(app)
    events.register(app)
    actions.register(app)
