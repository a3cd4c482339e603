"""Events: `app_mention` (the command grammar in a mention) and `app_home_opened` (the Home tab)."""

from slack_bolt import App

from handlers.acks import acknowledge
from handlers.errors import guarded
from handlers.events.app_home import app_home_opened
from handlers.events.app_mention import app_mention


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[guarded(app_mention)])
    app.event("app_home_opened")(ack=acknowledge, lazy=[guarded(app_home_opened)])
