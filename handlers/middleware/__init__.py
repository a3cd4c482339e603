"""Global Bolt middleware, in the order it runs after Bolt's own signature check."""

from slack_bolt import App

from bot.runtime import Runtime
from handlers.middleware.once import HandleEventsOnce
from handlers.middleware.runtime import ProvideRuntime
from handlers.middleware.teams import AllowedTeamsOnly


def register(app: App, runtime: Runtime) -> None:
    app.use(ProvideRuntime(runtime))
    app.use(AllowedTeamsOnly(runtime.settings.allowed_teams))
    app.use(HandleEventsOnce())
