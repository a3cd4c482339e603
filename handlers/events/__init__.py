"""Events: `app_mention` (the command grammar in a mention), `app_home_opened` (the Home tab) and
`member_joined_channel` (Tandem invited: held posts go out)."""

from slack_bolt import App

from handlers.acks import acknowledge
from handlers.errors import guarded
from handlers.events.app_home import app_home_opened
from handlers.events.app_mention import app_mention
from handlers.events.joined import member_joined_channel


def register(app: App) -> None:
    app.event("app_mention")(ack=acknowledge, lazy=[guarded(app_mention)])
    app.event("app_home_opened")(ack=acknowledge, lazy=[guarded(app_home_opened)])
    app.event("member_joined_channel")(ack=acknowledge, lazy=[guarded(member_joined_channel)])
