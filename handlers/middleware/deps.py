"""Hand every listener the core's dependencies as `context["tandem"]` (Bolt's injection point)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services.deps import Deps


class ProvideDeps(Middleware):
    """A `Middleware` subclass rather than a function: Bolt builds no keyword arguments for it."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        req.context["tandem"] = self.deps
        return next()
