"""The Bolt app factory: nothing happens at import time; `create_app` builds one app.

One `WebClient`, built with `base_url` from `SLACK_API_URL`, serves every Web API call;
it retries HTTP 429 after `Retry-After` and connection errors with backoff.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.runtime import Runtime
from handlers.conversation import SlackConversation
from handlers.notify import ChannelNotifier
from handlers.register import register


def create_client(runtime: Runtime) -> WebClient:
    settings = runtime.settings
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=3), RateLimitErrorRetryHandler(max_retry_count=3)],
        logger=logging.getLogger("tandem.slack"),
    )


def create_app(runtime: Runtime) -> App:
    runtime.settings.require_slack()
    client = create_client(runtime)
    runtime.notifier = ChannelNotifier(SlackConversation(client))
    app = App(
        client=client,
        signing_secret=runtime.settings.signing_secret,
        logger=logging.getLogger("tandem.bolt"),
        # Acknowledgements run in the request; slow work is a lazy listener after it.
        process_before_response=True,
    )
    register(app, runtime)
    return app
