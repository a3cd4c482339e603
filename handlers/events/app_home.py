"""The App Home tab, rebuilt each time someone opens it: a provider engineer on several
clients' matrices sees each of them, anyone else their one organisation."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.errors import TandemError
from bot.services import home as home_service
from bot.services.deps import Deps
from handlers import inputs
from handlers.inputs import HomeOpened
from handlers.middleware.once import finish_event
from handlers.views.home import fleet_home_view, home_view, no_matrix_view


def app_home_opened(client: WebClient, context: dict[str, Any]) -> None:
    opened = inputs.of(context, HomeOpened)
    if opened.tab != "home":
        finish_event(context)
        return
    deps: Deps = context["tandem"]
    now = deps.clock.now()
    try:
        with deps.units(read_only=True) as store:
            fleet = home_service.fleet_home(store, deps.matrices, opened.user, now)
            if fleet is not None:  # a provider's engineer: every client they serve
                view = fleet_home_view(fleet)
            else:
                loaded = deps.matrices.for_request(store, None, opened.user, context["origin"].team)
                view = home_view(home_service.build(store, loaded.matrix, opened.user, now))
    except TandemError as error:  # no matrix for this person: the tab says how to get one
        view = no_matrix_view(error)
    client.views_publish(user_id=opened.user, view=view)
    finish_event(context)
