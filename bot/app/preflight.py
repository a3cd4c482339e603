"""What `tandem run` checks once, before gunicorn forks a worker or Socket Mode connects.

Each failure a person can fix is one sentence naming the variable or the service and what
to do, and `tandem run` exits 1 (the command line prints it): a token Slack rejects, Slack
out of reach, a port already taken. The database is checked by `bootstrap.open_database`.
Without these, each of N workers would fail on its own with a traceback, and gunicorn
would end with "Worker failed to boot".
"""

from __future__ import annotations

import errno
import http.client
import socket
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.settings import WHERE, Settings
from bot.errors import TandemError

# auth.test and apps.connections.open answers that mean "this token will never work".
TOKEN_REFUSED = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
    "invalid_token",
}


class SlackProblem(TandemError):
    """Slack refused a token, or could not be reached."""


class PortInUse(TandemError):
    """Another process listens on PORT."""


def _reason(error: BaseException) -> str:
    reason = error.reason if isinstance(error, URLError) else error
    return getattr(reason, "strerror", None) or str(reason) or type(reason).__name__


def slack_problem(error: BaseException, variable: str, settings: Settings) -> TandemError:
    """The sentence for a failed call to Slack made with the token in `variable`."""
    if isinstance(error, SlackApiError):
        data = error.response.data if isinstance(error.response.data, dict) else {}
        code = data.get("error") or f"HTTP {error.response.status_code}"
        if code in TOKEN_REFUSED:
            return SlackProblem(
                f"Slack rejected {variable} ({code}): copy {WHERE[variable]} again (reinstall the app if it was "
                "removed), then start again."
            )
        return SlackProblem(
            f"Slack at {settings.api_url} (SLACK_API_URL) answered {variable}'s check with {code}: "
            "see https://api.slack.com/methods/auth.test for what it means, then start again."
        )
    return SlackProblem(
        f"Cannot reach Slack at {settings.api_url} (SLACK_API_URL): {_reason(error)}. Check this machine's outbound "
        "HTTPS (DNS, proxy, firewall), or SLACK_API_URL if you set it, then start again."
    )


UNREACHABLE = (OSError, http.client.HTTPException)  # URLError, refused, reset, timeouts, bad replies


def check_bot_token(client: WebClient, settings: Settings) -> str:
    """Ask Slack who the bot token belongs to (`auth.test`); return 'team as @bot' for the start line."""
    try:
        reply = client.auth_test()
    except (SlackApiError, *UNREACHABLE) as error:
        raise slack_problem(error, "SLACK_BOT_TOKEN", settings) from None
    return f"{reply.get('team') or reply.get('team_id')} as @{reply.get('user')}"


def check_port(port: int) -> None:
    """Fail now, in one sentence, if something already listens on PORT (gunicorn would retry, then
    give up with five lines of its own)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is no conflict
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"PORT {port} is already in use by another process: stop it, or set PORT to a free port."
                ) from None
            raise PortInUse(f"Cannot listen on PORT {port}: {error.strerror}. Set PORT to another port.") from None
