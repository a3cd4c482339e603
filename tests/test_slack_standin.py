"""The test infrastructure itself: the Web API stand-in and the signed-request builders.

Everything crosses real sockets: a real slack_sdk WebClient talks to the stand-in, and a
real Bolt App (behind a tiny HTTP server) receives the builders' signed requests.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from tests.support import require_shared
from tests.support import slack_requests as sr
from tests.support.slack_standin import DEFAULT_TOKEN, SlackStandIn


@pytest.fixture()
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as server:
        yield server


@pytest.fixture()
def client(standin: SlackStandIn) -> WebClient:
    return WebClient(base_url=standin.base_url, token=DEFAULT_TOKEN)


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _button(action_id: str, text: str = "Go") -> dict:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}}


# ---- signing and request shapes ---------------------------------------------------------
def test_signing_vectors_verify() -> None:
    vectors = json.loads((require_shared() / "signing_test_vectors.json").read_text())["vectors"]
    assert len(vectors) == 4
    for v in vectors:
        body, ts = v["raw_body"].encode(), int(v["x_slack_request_timestamp"])
        headers = sr.sign(body, v["signing_secret"], ts)
        assert headers["X-Slack-Signature"] == v["x_slack_signature"], v["name"]
        verifier = SignatureVerifier(v["signing_secret"], clock=_FixedClock(ts))
        assert verifier.is_valid_request(body, headers), v["name"]


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_slash_command_is_byte_identical_to_sample_and_verifies() -> None:
    shared = require_shared()
    sample = (shared / "commands" / "slash_command.form.txt").read_bytes()
    vector = json.loads((shared / "signing_test_vectors.json").read_text())["vectors"][0]
    body, headers = sr.slash_command(
        "/owner",
        "backup @someone",
        user_id="W111",
        user_name="primary-owner",
        channel_id="C111",
        channel_name="random",
        team_domain="test-domain",
        enterprise_id="E111",
        enterprise_name="Org Name",
        trigger_id="111.111.xxx",
        response_url="https://hooks.slack.com/commands/T111/111/xxxxx",
        secret="secret",
        timestamp=1531420618,
    )
    assert body == sample.strip()
    assert headers["X-Slack-Signature"] == vector["x_slack_signature"]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    fresh_body, fresh = sr.slash_command("/owner", "backups", user_id="U1", channel_id="C1", response_url="http://x/")
    assert SignatureVerifier(sr.SIGNING_SECRET).is_valid_request(fresh_body, fresh)
    assert not SignatureVerifier("other-secret").is_valid_request(fresh_body, fresh)


def test_event_callback_is_byte_identical_to_sample() -> None:
    vector = json.loads((require_shared() / "signing_test_vectors.json").read_text())["vectors"][1]
    sample = json.loads(vector["raw_body"])
    body, headers = sr.event_callback(
        sample["event"], event_id="Ev111", enterprise_id="E111", secret="secret", timestamp=1531420618
    )
    assert body.decode() == vector["raw_body"]
    assert headers["X-Slack-Signature"] == vector["x_slack_signature"]
    _, retried = sr.event_callback(sample["event"], event_id="Ev111", retry_num=1)
    assert retried["X-Slack-Retry-Num"] == "1"
    assert retried["X-Slack-Retry-Reason"] == "http_timeout"


@pytest.mark.parametrize("name", ["block_actions", "view_submission", "shortcut_global", "shortcut_message"])
def test_interactive_encoding_matches_samples(name: str) -> None:
    folder = require_shared() / "interactivity"
    payload = json.loads((folder / f"{name}.json").read_text())
    body, _ = sr.interactive(payload)
    assert body == (folder / f"{name}.form.txt").read_bytes().strip()


def _payload(request: tuple[bytes, dict]) -> dict:
    return json.loads(dict(parse_qsl(request[0].decode()))["payload"])


def test_builders_have_the_sample_fields() -> None:
    folder = require_shared() / "interactivity"
    built = {
        "block_actions": sr.block_actions(
            "a", "v", user_id="U1", channel_id="C1", message_ts="1.2", response_url="http://x/"
        ),
        "view_submission": sr.view_submission("cb", {"b": {"a": "text"}}, user_id="U1"),
        "shortcut_global": sr.global_shortcut("cb", "U1"),
        "shortcut_message": sr.message_shortcut(
            "cb", user_id="U1", channel_id="C1", response_url="http://x/", text="hi"
        ),
    }
    for name, request in built.items():
        sample = json.loads((folder / f"{name}.json").read_text())
        assert set(_payload(request)) == set(sample), name
    state = _payload(built["view_submission"])["view"]["state"]["values"]
    assert state == {"b": {"a": {"type": "plain_text_input", "value": "text"}}}
    mention = sr.app_mention("who owns backups?", "U0ALICE01", "C1")
    assert mention["text"] == "<@W111> who owns backups?"
    events = json.loads((require_shared() / "events" / "app_mention.json").read_text())
    assert set(mention) == set(events["event"])


# ---- the Web API stand-in ---------------------------------------------------------------
def test_webclient_posts_and_standin_records(standin: SlackStandIn, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C0SHARED01", text="hello", blocks=[_section("*hello*")])
    second = client.chat_postMessage(channel="C0SHARED01", text="again", thread_ts=first["ts"])
    assert first["ok"] and first["channel"] == "C0SHARED01"
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["bot_id"] == "B111"
    call = standin.wait_for("chat.postMessage", count=2)[0]
    assert call.token == DEFAULT_TOKEN
    assert call.headers["authorization"] == f"Bearer {DEFAULT_TOKEN}"
    assert call["text"] == "hello" and call.blocks[0]["type"] == "section"
    assert standin.message("C0SHARED01", second["ts"])["thread_ts"] == first["ts"]
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("W111", "B111", "T111")


def test_other_methods_reply_like_slack(standin: SlackStandIn, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="Handoff opened")
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="Resolved")
    assert updated["message"]["text"] == "Resolved"
    assert standin.message("C1", posted["ts"])["text"] == "Resolved"
    assert client.chat_postEphemeral(channel="C1", user="U1", text="only you")["message_ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C1/p" + posted["ts"].replace(".", ""))
    standin.users["U0ALICE01"] = {"real_name": "Alice Moss"}
    assert client.users_info(user="U0ALICE01")["user"]["real_name"] == "Alice Moss"
    assert standin.calls("users.info")[0]["user"] == "U0ALICE01"  # form body, parsed
    standin.channels["C1"] = {"is_ext_shared": True}
    assert client.conversations_info(channel="C1")["channel"]["is_ext_shared"] is True
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "New handoff"},
        "submit": {"type": "plain_text", "text": "Open"},
        "callback_id": "handoff_new",
        "blocks": [
            {
                "type": "input",
                "block_id": "summary",
                "label": {"type": "plain_text", "text": "Summary"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }
    opened = client.views_open(trigger_id="111.222.x", view=modal)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "handoff_new"
    assert client.views_update(view_id=opened["id"], view=modal)["view"]["id"] == opened["id"]
    home = {"type": "home", "blocks": [_section("Your open handoffs")]}
    published = client.views_publish(user_id="U1", view=home)["view"]
    assert standin.homes["U1"]["id"] == published["id"]
    with pytest.raises(SlackApiError) as err:
        client.api_call("chat.unfurl")
    assert err.value.response["error"] == "unknown_method"


def test_file_upload_round_trip(standin: SlackStandIn, client: WebClient) -> None:
    done = client.files_upload_v2(
        channel="C1", filename="audit.csv", content="a,b\n1,2\n", title="Audit export", initial_comment="Export"
    )
    assert done["file"]["name"] == "audit.csv"
    (upload,) = standin.uploads.values()
    assert upload.content == b"a,b\n1,2\n" and upload.completed
    assert (upload.channel_id, upload.title) == ("C1", "Audit export")


def test_tokens_are_checked(standin: SlackStandIn) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=standin.base_url, token="xoxb-wrong").auth_test()
    assert err.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=standin.base_url).auth_test()
    assert err.value.response["error"] == "not_authed"


INVALID_MESSAGES = {
    "unknown block type": [{"type": "carousel"}],
    "unknown element type": [{"type": "actions", "elements": [{"type": "slider"}]}],
    "section text 3001": [_section("x" * 3001)],
    "header text 151": [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
    "context text 3001": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}],
    "context with a button": [{"type": "context", "elements": [_button("a")]}],
    "button text 76": [{"type": "actions", "elements": [_button("a", "x" * 76)]}],
    "duplicate action_id": [
        {"type": "actions", "elements": [_button("a")]},
        {"type": "section", "text": {"type": "mrkdwn", "text": "t"}, "accessory": _button("a")},
    ],
    "51 blocks": [{"type": "divider"}] * 51,
}


@pytest.mark.parametrize("blocks", INVALID_MESSAGES.values(), ids=INVALID_MESSAGES.keys())
def test_invalid_blocks_are_refused(client: WebClient, blocks: list) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"]


def test_limits_at_the_edge_are_accepted(client: WebClient) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "x" * 150}},
        _section("x" * 3000),
        {"type": "actions", "elements": [_button("a", "x" * 75)]},
    ]
    blocks += [{"type": "divider"}] * 47
    assert client.chat_postMessage(channel="C1", text="x" * 40000, blocks=blocks)["ok"]


def test_long_text_and_bad_views_are_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="x" * 40001)
    assert err.value.response["error"] == "msg_too_long"
    title = {"type": "plain_text", "text": "x" * 25}
    with pytest.raises(SlackApiError) as err:
        client.views_open(trigger_id="t", view={"type": "modal", "title": title, "blocks": []})
    assert err.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as err:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert err.value.response["error"] == "invalid_arguments"
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 100})["ok"]


# ---- failure injection ------------------------------------------------------------------
def test_rate_limit_is_recovered_by_retry_handler(standin: SlackStandIn, client: WebClient) -> None:
    standin.rate_limit("chat.postMessage", times=1, retry_after=1)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    started = time.monotonic()
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert time.monotonic() - started >= 1.0  # honoured Retry-After
    calls = standin.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]


def test_rate_limit_without_handler_raises(standin: SlackStandIn, client: WebClient) -> None:
    standin.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"
    assert err.value.response["error"] == "ratelimited"


def test_fail_and_drop_connection(standin: SlackStandIn, client: WebClient) -> None:
    standin.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]  # only once
    standin.drop_connection("chat.postMessage")  # slack_sdk retries a dropped connection once
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(standin.calls("chat.postMessage")) == 4


def test_wait_for_blocks_until_the_call_arrives(standin: SlackStandIn, client: WebClient) -> None:
    timer = threading.Timer(0.3, lambda: client.chat_postMessage(channel="C1", text="late"))
    timer.start()
    assert standin.wait_for("chat.postMessage", timeout=5)[0]["text"] == "late"
    with pytest.raises(AssertionError, match=r"expected 2 chat\.postMessage"):
        standin.wait_for("chat.postMessage", count=2, timeout=0.2)
    standin.reset()
    assert standin.calls() == []


def test_response_urls_record_posts(standin: SlackStandIn) -> None:
    url = standin.response_url("cmd1")
    WebhookClient(url).send(text="ephemeral answer", response_type="ephemeral")
    (response,) = standin.wait_for_response("cmd1")
    assert response["text"] == "ephemeral answer"
    refused = WebhookClient(url).send(text="x", blocks=[{"type": "carousel"}])
    assert refused.status_code == 400 and refused.body == "invalid_blocks"


# ---- a real Bolt app receives the builders' requests over HTTP ------------------------
@pytest.fixture()
def bolt_url(standin: SlackStandIn) -> Iterator[tuple[str, App]]:
    """A Bolt App behind a minimal HTTP server, its WebClient pointed at the stand-in."""
    app = App(signing_secret=sr.SIGNING_SECRET, client=WebClient(base_url=standin.base_url, token=DEFAULT_TOKEN))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
            resp = app.dispatch(BoltRequest(body=raw, headers=dict(self.headers.items())))
            data = (resp.body or "").encode()
            self.send_response(resp.status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slack/events", app
    server.shutdown()
    server.server_close()


def test_bolt_accepts_every_builder(standin: SlackStandIn, bolt_url: tuple[str, App]) -> None:
    url, app = bolt_url
    seen: list[str] = []

    @app.command("/owner")
    def owner(ack, respond, command):
        ack()
        respond(f"owner of {command['text']}")

    @app.event("app_mention")
    def mention(event, say):
        say(text=f"heard {event['text']}", thread_ts=event["ts"])

    @app.event("app_home_opened")
    def home(event, client):
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    @app.action("handoff_take")
    def take(ack, body):
        ack()
        seen.append(body["actions"][0]["value"])

    @app.view("handoff_new")
    def submitted(ack, view):
        ack()
        seen.append(view["state"]["values"]["summary"]["value"]["value"])

    @app.shortcut("tandem_new_handoff")
    def new_handoff(ack):
        ack()
        seen.append("global")

    @app.shortcut("tandem_handoff_message")
    def from_message(ack, shortcut):
        ack()
        seen.append(shortcut["message"]["text"])

    requests = [
        sr.slash_command(
            "/owner", "backups", user_id="U0ALICE01", channel_id="C1", response_url=standin.response_url("owner")
        ),
        sr.event_callback(sr.app_mention("who owns backups?", "U0ALICE01", "C1")),
        sr.event_callback(sr.app_home_opened("U0ALICE01")),
        sr.block_actions(
            "handoff_take",
            "42",
            user_id="U0PRIYA01",
            channel_id="C1",
            message_ts="1.000001",
            response_url=standin.response_url("act"),
        ),
        sr.view_submission("handoff_new", {"summary": {"value": "VPN rule"}}, user_id="U0ALICE01"),
        sr.global_shortcut("tandem_new_handoff", "U0ALICE01"),
        sr.message_shortcut(
            "tandem_handoff_message",
            user_id="U0ALICE01",
            channel_id="C1",
            response_url=standin.response_url("msg"),
            text="printer down",
        ),
    ]
    for body, headers in requests:
        status, _, answer = sr.post(url, body, headers)
        assert status == 200, answer
    assert standin.wait_for_response("owner")[0]["text"] == "owner of backups"
    said = standin.wait_for("chat.postMessage")[0]
    assert said["text"] == "heard <@W111> who owns backups?" and said["thread_ts"]
    assert standin.wait_for("views.publish")[0]["user_id"] == "U0ALICE01"
    deadline = time.monotonic() + 5
    while len(seen) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sorted(seen) == sorted(["42", "VPN rule", "global", "printer down"])
    stale_body, stale = sr.global_shortcut("tandem_new_handoff", "U1", timestamp=int(time.time()) - 301)
    assert sr.post(url, stale_body, stale)[0] == 401
