"""Both sides of a Slack Connect channel, and two organisations in one database.

Harbour & Finch (T0HOST0001) installed Tandem and hosts C0SHARED01; its provider Red Kite
(T0MSP00001) reaches the channel from its own workspace. A second client, Osprey Legal
(T0OSPREY01, C0OSPREY01), lives in the same database. The shared-channel payloads are the
samples in ../shared/slack/connect/, with Tandem's own action ids and metadata put in, sent
signed to `tandem run`.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from urllib.parse import urlencode

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.support import require_shared
from tests.support import slack_requests as sr
from tests.support.bot_server import BotProcess

HOST, PROVIDER, OSPREY = "T0HOST0001", "T0MSP00001", "T0OSPREY01"
CHANNEL, OSPREY_CHANNEL = "C0SHARED01", "C0OSPREY01"
SAM, STRANGER, ALICE, TOM = "U0RKAGENT1", "U0RKMGR001", "U0ALICE01", "U0TOM0001"


def harbour() -> str:
    text = EXAMPLE.read_text()
    text = text.replace("channel: C0SHARED01\n", f"channel: {CHANNEL}\nteam: {HOST}\n")
    return text.replace(
        "    name: Red Kite IT\n    people:\n",
        f"    name: Red Kite IT\n    teams: [{PROVIDER}]\n    people:\n      - {{slack: {SAM}, name: Sam Ridley}}\n",
    )


def osprey() -> str:
    text = EXAMPLE.read_text().replace("organisation: harbour-finch", "organisation: osprey")
    text = text.replace("name: Harbour & Finch Architects", "name: Osprey Legal")
    text = text.replace("channel: C0SHARED01\n", f"channel: {OSPREY_CHANNEL}\nteam: {OSPREY}\n")
    text = text.replace("    name: Red Kite IT\n", f"    name: Red Kite IT\n    teams: [{PROVIDER}]\n")
    return text.replace("    name: Backups\n", "    name: Osprey backup vault\n", 1)


@pytest.fixture(scope="module")
def bot(standin, tmp_path_factory):
    folder = tmp_path_factory.mktemp("connect")
    database = f"sqlite:///{folder / 'tandem.db'}"
    (folder / "harbour.yml").write_text(harbour())
    (folder / "osprey.yml").write_text(osprey())
    env = {**os.environ, "DATABASE_URL": database}
    subprocess.run(
        [sys.executable, "-m", "bot", "matrix", "import", str(folder / "osprey.yml")],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with BotProcess(standin, database, matrix=folder / "harbour.yml") as process:
        yield process


@pytest.fixture(autouse=True)
def fresh(standin):
    standin.reset()


def sample(path: str) -> dict:
    return json.loads((require_shared() / "connect" / path).read_text())


def mention(text: str, user: str = SAM, **top) -> bytes:
    body = copy.deepcopy(sample("events/app_mention_external_user.json"))
    body["event"].update(text=f"<@U0TANDEM01> {text}", user=user, ts=sr._ts())
    body["event_id"] = sr._unique("Ev0CONNECT")
    body.update(top)
    return body


def send_event(bot, body: dict) -> int:
    raw = json.dumps(body, separators=(",", ":")).encode()
    return sr.post(bot.events_url, *sr.signed(raw, "application/json"))[0]


def press(bot, standin, action_id: str, value: str, ts: str, user: str = SAM) -> int:
    """The external user's click sample, on Tandem's button of the message at `ts`."""
    body = copy.deepcopy(sample("interactivity/block_actions_external_user.json"))
    body["user"]["id"] = user
    body["container"]["message_ts"] = ts
    body["message"] = standin.message(CHANNEL, ts)
    body["actions"][0].update(action_id=action_id, value=sr.button_value(body["message"], action_id, value))
    body["response_url"] = standin.response_url("click")
    return sr.post(bot.events_url, *sr.interactive(body))[0]


def open_handoff(bot, standin) -> tuple[str, int]:
    request = sr.slash_command(
        "/handoff",
        "provider: VPN certificate renewal",
        user_id=ALICE,
        channel_id=CHANNEL,
        team_id=HOST,
        response_url=standin.response_url("open"),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    root, _thread = standin.wait_for("chat.postMessage", count=2)
    [reply] = standin.wait_for_response("open")
    return root.reply["ts"], int(reply.body["text"].split("#")[1].split(" ")[0])


def test_an_external_user_listed_in_the_matrix_is_answered_by_mention(bot, standin):
    assert send_event(bot, mention("who owns backups?")) == 200
    [answer] = standin.wait_for("chat.postMessage")
    assert answer["channel"] == CHANNEL and "Backups" in json.dumps(answer.blocks)
    assert "Osprey" not in json.dumps(answer.blocks)


def test_the_top_level_team_of_the_other_side_does_not_move_the_request(bot, standin):
    body = mention("who owns backups?", team_id=PROVIDER, context_team_id=PROVIDER)
    assert send_event(bot, body) == 200
    [answer] = standin.wait_for("chat.postMessage")
    assert answer["channel"] == CHANNEL and "Backups" in json.dumps(answer.blocks)


def test_an_unlisted_external_user_is_told_who_the_admins_are(bot, standin):
    assert send_event(bot, mention("who owns backups?", user=STRANGER)) == 200
    [told] = standin.wait_for("chat.postEphemeral")
    assert told["user"] == STRANGER and told["channel"] == CHANNEL
    assert "does not list you" in told["text"] and "<@U0ALICE01>" in told["text"] and "<@U0PRIYA01>" in told["text"]
    assert standin.calls("chat.postMessage") == []


def test_an_event_delivered_twice_is_handled_once(bot, standin):
    body = mention("who owns backups?")
    assert send_event(bot, body) == 200
    standin.wait_for("chat.postMessage")
    assert send_event(bot, body) == 200  # the same event id, as after both workspaces installed
    assert len(standin.wait_for("chat.postMessage", count=1)) == 1


def test_an_external_user_presses_the_buttons_and_submits_the_modal(bot, standin):
    ts, number = open_handoff(bot, standin)
    assert press(bot, standin, "handoff_take", str(number), ts) == 200
    [update] = standin.wait_for("chat.update")
    assert "In progress" in json.dumps(update.blocks)
    assert press(bot, standin, "handoff_resolve", str(number), ts) == 200
    [modal] = standin.wait_for("views.open")
    body = copy.deepcopy(sample("interactivity/view_submission_external_user.json"))
    body["view"].update(
        callback_id=modal.view["callback_id"],
        private_metadata=modal.view["private_metadata"],
        blocks=modal.view["blocks"],
        state={"values": {"resolution": {"note": {"type": "plain_text_input", "value": "renewed from Red Kite"}}}},
    )
    assert sr.post(bot.events_url, *sr.interactive(body))[0] == 200
    final = standin.wait_for("chat.update", count=2)[-1]
    assert "Resolved" in json.dumps(final.blocks) and "renewed from Red Kite" in json.dumps(final.blocks)


def test_an_unlisted_external_user_pressing_a_button_is_told_and_nothing_changes(bot, standin):
    ts, number = open_handoff(bot, standin)
    assert press(bot, standin, "handoff_take", str(number), ts, user=STRANGER) == 200
    [told] = standin.wait_for_response("click")
    assert told.body["response_type"] == "ephemeral" and "does not list you" in told.body["text"]
    assert standin.calls("chat.update") == []


def test_an_unlisted_external_form_is_answered_with_a_notice(bot, standin):
    body = copy.deepcopy(sample("interactivity/view_submission_external_user.json"))
    body["user"]["id"] = STRANGER
    body["view"]["private_metadata"] = json.dumps({"channel": CHANNEL})
    status, _, answer = sr.post(bot.events_url, *sr.interactive(body))
    reply = json.loads(answer)
    assert status == 200 and reply["response_action"] == "update"
    assert "does not list you" in json.dumps(reply["view"])


def test_each_request_finds_only_its_own_organisation(bot, standin):
    def owner(channel: str, team: str, user: str = ALICE) -> str:
        request = sr.slash_command(
            "/owner", "backups", user_id=user, channel_id=channel, team_id=team, response_url=standin.response_url()
        )
        status, _, body = sr.post(bot.events_url, *request)
        assert status == 200
        return json.dumps(json.loads(body))

    assert "Osprey backup vault" in owner(OSPREY_CHANNEL, OSPREY) and "Osprey" not in owner(CHANNEL, HOST)
    # A direct message has no matrix channel: the installation's workspace decides.
    assert "Osprey backup vault" in owner("D0DIRECT01", OSPREY, user="U0NOBODY1")
    assert "Osprey" not in owner("D0DIRECT01", HOST, user="U0NOBODY1")


def test_the_fleet_lists_a_provider_admins_clients_and_only_to_them(bot, standin):
    request = sr.slash_command(
        "/handoff",
        "P2 provider: new starter laptop",
        user_id=ALICE,
        channel_id=OSPREY_CHANNEL,
        team_id=OSPREY,
        response_url=standin.response_url("opened"),
    )
    assert sr.post(bot.events_url, *request)[0] == 200
    standin.wait_for_response("opened")

    def fleet(user: str) -> str:
        request = sr.slash_command(
            "/tandem", "fleet", user_id=user, channel_id=CHANNEL, team_id=HOST, response_url=standin.response_url(user)
        )
        assert sr.post(bot.events_url, *request)[0] == 200
        [answer] = standin.wait_for_response(user)
        assert answer.body["response_type"] == "ephemeral"
        return json.dumps(answer.body["blocks"]) if answer.body.get("blocks") else answer.body["text"]

    shown = fleet("U0PRIYA01")
    assert "Your clients (2)" in shown and "*Osprey Legal* (<#C0OSPREY01>)" in shown
    assert "*Harbour &amp; Finch Architects* (<#C0SHARED01>)" in shown and "1 open" in shown
    refused = fleet(ALICE)
    assert "lists a provider's clients for its admins" in refused and "Your clients" not in refused

    assert send_event(bot, mention("fleet", user="U0PRIYA01", event_id=sr._unique("Ev0FLEET"))) == 200
    [told] = standin.wait_for("chat.postEphemeral")
    assert told["user"] == "U0PRIYA01" and "Osprey Legal" in json.dumps(told.blocks)
    # never in the client's channel, for all to read
    assert [c for c in standin.calls("chat.postMessage") if c["channel"] == CHANNEL] == []


def test_an_org_wide_install_treats_nobody_as_external(bot, standin):
    """On an Enterprise Grid org-wide install `team` is null and the installation is the org."""
    ts, number = open_handoff(bot, standin)
    body = copy.deepcopy(sample("interactivity/block_actions_external_user.json"))
    body.update(team=None, enterprise={"id": "E0GRID0001", "name": "Grid"}, is_enterprise_install=True)
    body["user"].update(id="U0GRIDUSR1", team_id="T0GRIDWS01")  # in no matrix
    body["container"]["message_ts"] = ts
    body["message"] = standin.message(CHANNEL, ts)
    body["actions"][0].update(
        action_id="handoff_take", value=sr.button_value(body["message"], "handoff_take", str(number))
    )
    body["response_url"] = standin.response_url("grid")
    assert sr.post(bot.events_url, *sr.interactive(body))[0] == 200
    [refusal] = standin.wait_for("chat.postEphemeral")  # the party rules answer, not the stranger gate
    assert refusal["user"] == "U0GRIDUSR1" and "Only people of the two sides" in refusal["text"]


def test_someone_in_several_matrices_is_told_which_outside_their_channels(bot, standin):
    request = sr.slash_command(
        "/owner",
        "backups",
        user_id="U0PRIYA01",
        channel_id="D0DIRECT02",
        team_id=PROVIDER,
        response_url="https://x.y/z",
    )
    status, _, body = sr.post(bot.events_url, *request)
    text = json.loads(body)["text"]
    assert status == 200 and "in the matrices of 2 organisations" in text
    assert (
        "Harbour &amp; Finch Architects" in text and "Osprey Legal" in text and "not listed in any matrix" not in text
    )


def test_a_command_through_the_other_workspaces_own_copy_is_answered_from_the_channels_matrix(bot, standin):
    """Red Kite installed its own copy: its engineer's `/tandem` in the shared channel names Red Kite's team."""
    fields = dict(sample("commands/slash_command_other_installed_workspace.parsed.json"))
    fields.update(text="matrix", response_url=standin.response_url("other"))
    raw = urlencode(list(fields.items())).encode()
    status, _, body = sr.post(bot.events_url, *sr.signed(raw, "application/x-www-form-urlencoded"))
    reply = json.loads(body)
    assert status == 200 and reply["response_type"] == "ephemeral"
    assert reply["blocks"][0]["text"]["text"] == "Responsibility matrix — Harbour & Finch Architects"


def test_a_provider_engineer_s_home_shows_every_client_they_serve(bot, standin):
    """Tom is on the provider side of both matrices: his Home, opened in Red Kite's own workspace,
    is one entry per client with what is assigned to him there; Sam, in one matrix, keeps its Home."""
    ts, number = open_handoff(bot, standin)
    assert press(bot, standin, "handoff_take", str(number), ts, user=TOM) == 200
    standin.wait_for("chat.update")

    def home(user: str) -> str:
        standin.reset()
        body = sr.event_callback(sr.app_home_opened(user, channel="D0HOME0001"), team_id=PROVIDER)
        assert sr.post(bot.events_url, *body)[0] == 200
        [published] = standin.wait_for("views.publish")
        assert published["user_id"] == user
        return json.dumps(published.view["blocks"])

    shown = home(TOM)
    assert "your clients (2)" in shown and "You are on the provider side of 2 clients" in shown
    harbour_at = shown.index("*Harbour &amp; Finch Architects* (<#C0SHARED01>)")
    osprey_at = shown.index("*Osprey Legal* (<#C0OSPREY01>)")
    assert f"*#{number}*" in shown[harbour_at:osprey_at] if harbour_at < osprey_at else shown[harbour_at:]
    assert "Tandem — Harbour & Finch Architects" in json.loads(home(SAM))[0]["text"]["text"]
