"""Hand every listener the running bot as `context["tandem"]` (Bolt's injection point)."""

from slack_bolt.middleware import Middleware

from bot.runtime import Runtime


class ProvideRuntime(Middleware):
    """A `Middleware` subclass rather than a function: Bolt builds no keyword arguments for it."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def process(self, *, req, resp, next):  # noqa: A002 - Bolt's argument name
        req.context["tandem"] = self.runtime
        return next()
