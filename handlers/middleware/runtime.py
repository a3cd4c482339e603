"""Hand every listener the running bot as `context["tandem"]` (Bolt's injection point)."""

from collections.abc import Callable

from bot.runtime import Runtime


def provide_runtime(runtime: Runtime) -> Callable:
    def middleware(context, next):  # noqa: A002 - Bolt's argument name
        context["tandem"] = runtime
        return next()

    return middleware
