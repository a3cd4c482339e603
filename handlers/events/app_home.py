"""The App Home tab, rebuilt each time someone opens it."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services import home as home_service
from bot.services.deps import Deps
from handlers.middleware.once import finish_event
from handlers.views.home import home_view, no_matrix_view


def app_home_opened(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
    if event.get("tab", "home") != "home":
        return
    deps: Deps = context["tandem"]
    user = event["user"]
    try:
        with deps.units() as store:
            loaded = deps.matrices.for_request(store, None, user)
            home = home_service.build(store, loaded.matrix, user, deps.clock.now())
        view = home_view(home)
    except TandemError as error:  # no matrix for this person: the tab says how to get one
        view = no_matrix_view(error)
    client.views_publish(user_id=user, view=view)
    finish_event(context)
