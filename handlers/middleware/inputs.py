"""Refuse, with a 400 and before any acknowledgement, a request whose fields Tandem cannot read.

Runs after Bolt's signature check. The typed input (`handlers.inputs`) is left in
`context["input"]` for the listener, which reads nothing else, with where it came from
in `context["origin"]` (`inputs.Origin`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from handlers import inputs

log = logging.getLogger(__name__)


class ReadInputs(Middleware):
    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> Any:
        try:
            req.context["input"] = inputs.read(req.body)
            req.context["origin"] = inputs.origin(req.body)
        except inputs.Malformed as error:
            log.warning("request refused: %s", error)
            return BoltResponse(
                status=400,
                headers={"content-type": "application/json;charset=utf-8"},
                body=json.dumps({"error": f"malformed request: {error}"}),
            )
        return next()
