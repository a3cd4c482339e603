"""Settings from the environment: each bad value is one sentence naming its variable."""

from __future__ import annotations

import pytest

from bot.app.settings import Settings
from bot.errors import SettingsError


def test_server_sizing_defaults_and_values():
    assert (Settings.from_env({}, dotenv=None).web_concurrency, Settings.from_env({}, dotenv=None).threads) == (2, 8)
    settings = Settings.from_env({"WEB_CONCURRENCY": "4", "TANDEM_THREADS": "16"}, dotenv=None)
    assert (settings.web_concurrency, settings.threads) == (4, 16)


@pytest.mark.parametrize(
    ("name", "value"),
    [("WEB_CONCURRENCY", "zero"), ("WEB_CONCURRENCY", "0"), ("TANDEM_THREADS", "abc"), ("TANDEM_THREADS", "-2")],
)
def test_bad_server_sizing_names_the_variable(name, value):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value}, dotenv=None)
    assert str(info.value).startswith(f"{name} must be a whole number") and repr(value) in str(info.value)


OAUTH = {"SLACK_CLIENT_ID": "1000000000001.1000000000002", "SLACK_CLIENT_SECRET": "s3cret", "SLACK_SIGNING_SECRET": "x"}


def test_installs_by_oauth_need_no_bot_token():
    settings = Settings.from_env(OAUTH, dotenv=None)
    assert settings.oauth and settings.token_refresh_minutes == 120
    settings.require_slack()


@pytest.mark.parametrize(
    ("given", "missing"), [("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"), ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")]
)
def test_half_of_the_oauth_pair_names_the_other_and_where_it_is(given, missing):
    settings = Settings.from_env(
        {given: OAUTH[given], "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x"}, dotenv=None
    )
    with pytest.raises(SettingsError) as info:
        settings.require_slack()
    text = str(info.value)
    assert f"{given} is set but {missing} is not" in text and "Basic Information → App Credentials" in text


@pytest.mark.parametrize("beside", ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"])
def test_oauth_beside_a_single_token_or_socket_mode_says_which_to_unset(beside):
    settings = Settings.from_env({**OAUTH, beside: "xoxb-1" if beside == "SLACK_BOT_TOKEN" else "xapp-1"}, dotenv=None)
    with pytest.raises(SettingsError) as info:
        settings.require_slack()
    assert f"{beside} is set beside SLACK_CLIENT_ID and SLACK_CLIENT_SECRET" in str(info.value)


def test_a_redirect_uri_must_be_a_full_url():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**OAUTH, "SLACK_REDIRECT_URI": "/slack/oauth_redirect"}, dotenv=None)
    assert str(info.value).startswith("SLACK_REDIRECT_URI must be the full https URL")


def test_post_spacing_defaults_to_slacks_second_and_zero_turns_pacing_off():
    assert Settings.from_env({}, dotenv=None).post_spacing == 1.0
    assert Settings.from_env({"TANDEM_POST_SPACING": "0"}, dotenv=None).post_spacing == 0.0
    assert Settings.from_env({"TANDEM_POST_SPACING": "1.5"}, dotenv=None).post_spacing == 1.5


@pytest.mark.parametrize("value", ["-1", "fast", "1s"])
def test_a_bad_post_spacing_is_one_sentence_naming_it(value):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TANDEM_POST_SPACING": value}, dotenv=None)
    assert str(info.value).startswith("TANDEM_POST_SPACING must be the seconds between two posts")
    assert repr(value) in str(info.value)


def test_the_fleet_digest_is_off_by_default_and_monday_0830_utc_once_its_channel_is_set():
    assert Settings.from_env({}, dotenv=None).fleet.channel is None
    fleet = Settings.from_env({"TANDEM_FLEET_CHANNEL": "C0FLEET001"}, dotenv=None).fleet
    assert (fleet.channel, fleet.weekday, fleet.at.isoformat(), fleet.timezone, fleet.team) == (
        "C0FLEET001",
        0,
        "08:30:00",
        "UTC",
        None,
    )
    given = {
        "TANDEM_FLEET_CHANNEL": "C0FLEET001",
        "TANDEM_FLEET_DAY": "Fri",
        "TANDEM_FLEET_TIME": "7:05",
        "TANDEM_FLEET_TIMEZONE": "Europe/London",
        "TANDEM_FLEET_TEAM": "T0MSP00001",
    }
    fleet = Settings.from_env(given, dotenv=None).fleet
    assert (fleet.weekday, fleet.at.isoformat(), fleet.timezone, fleet.team) == (
        4,
        "07:05:00",
        "Europe/London",
        "T0MSP00001",
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TANDEM_FLEET_CHANNEL", "#fleet"),
        ("TANDEM_FLEET_DAY", "someday"),
        ("TANDEM_FLEET_TIME", "8.30am"),
        ("TANDEM_FLEET_TIMEZONE", "Europe/Londn"),
        ("TANDEM_FLEET_TEAM", "redkite"),
    ],
)
def test_a_bad_fleet_setting_is_one_sentence_naming_it(name, value):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TANDEM_FLEET_CHANNEL": "C0FLEET001", name: value}, dotenv=None)
    assert str(info.value).startswith(f"{name} must be") and repr(value.lower() if "DAY" in name else value) in str(
        info.value
    )


def test_a_fleet_time_without_a_fleet_channel_says_what_is_missing():
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"TANDEM_FLEET_TIME": "09:00"}, dotenv=None)
    assert str(info.value).startswith("TANDEM_FLEET_TIME is set but TANDEM_FLEET_CHANNEL is not")
