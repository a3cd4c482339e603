"""Global Bolt middleware, in the order it runs after Bolt's own signature check."""

from slack_bolt import App

from bot.runtime import Runtime
from handlers.middleware.once import handle_events_once
from handlers.middleware.runtime import provide_runtime
from handlers.middleware.teams import allowed_teams_only


def register(app: App, runtime: Runtime) -> None:
    app.use(provide_runtime(runtime))
    app.use(allowed_teams_only(runtime.settings.allowed_teams))
    app.use(handle_events_once)
