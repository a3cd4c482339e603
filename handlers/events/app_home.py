"""The App Home tab, rebuilt each time someone opens it."""

from __future__ import annotations

from bot.errors import TandemError
from bot.services import home as home_service
from handlers.middleware.once import finish_event
from handlers.views.home import home_view, no_matrix_view


def app_home_opened(event, client, context):
    if event.get("tab", "home") != "home":
        return
    runtime = context["tandem"]
    user = event["user"]
    try:
        with runtime.unit() as store:
            loaded = runtime.matrices.for_request(store, None, user)
            home = home_service.build(store, loaded.matrix, user, runtime.clock.now())
        view = home_view(home)
    except TandemError as error:
        view = no_matrix_view(str(error))
    client.views_publish(user_id=user, view=view)
    finish_event(context)
