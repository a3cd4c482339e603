"""manifest.yml is what gets pasted into Slack: it must be schema-valid, declare exactly the
commands and shortcuts the code handles (handlers/ids.py), and ask for the least scopes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

from bot.app.installations import BOT_SCOPES
from handlers import ids
from tests.support import require_shared
from tests.support.slack_methods import SCOPES as STANDIN_SCOPES

REPO = Path(__file__).resolve().parents[1]
# Least privilege: any change here must be justified in docs/SLACK.md's scope table.
EXPECTED_BOT_SCOPES = {
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "channels:history",
    "groups:history",
    "channels:read",
    "groups:read",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema_path = require_shared() / "manifest" / "manifest.schema.1.0.0.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def test_validator_rejects_slack_invalid_fixture(validator: Draft7Validator) -> None:
    """Guard against a validator that accepts anything (wrong draft, empty schema)."""
    bad = json.loads((require_shared() / "manifest" / "manifest.v1.invalid.json").read_text())
    good = json.loads((require_shared() / "manifest" / "manifest.v1.valid.json").read_text())
    assert list(validator.iter_errors(bad))
    assert not list(validator.iter_errors(good))


def test_manifest_is_valid_v1(manifest: dict, validator: Draft7Validator) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []
    assert manifest["_metadata"]["major_version"] == 1


def test_display_information(manifest: dict) -> None:
    info = manifest["display_information"]
    assert info["name"] == "Tandem"
    assert 175 <= len(info["long_description"]) <= 4000
    assert 1 <= len(info["description"]) <= 140
    # The schema spells this constraint "regex", which JSON Schema ignores: check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])


def test_commands_match_handlers(manifest: dict) -> None:
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == list(ids.COMMANDS)
    for command in commands:
        assert command["description"] and command["usage_hint"]
        assert command["should_escape"] is True, "mentions must arrive as <@U…> ids"
        assert "url" not in command, "socket mode: request URLs are added only for HTTP mode"


def test_shortcuts_match_handlers(manifest: dict) -> None:
    shortcuts = {s["callback_id"]: s["type"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts == {ids.SHORTCUT_NEW_HANDOFF: "global", ids.SHORTCUT_HANDOFF_FROM_MESSAGE: "message"}


def test_least_scopes_and_events(manifest: dict) -> None:
    bot_scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert set(bot_scopes) == EXPECTED_BOT_SCOPES and len(bot_scopes) == len(set(bot_scopes))
    assert "user" not in manifest["oauth_config"]["scopes"]
    assert set(STANDIN_SCOPES.split(",")) == EXPECTED_BOT_SCOPES  # stand-in's x-oauth-scopes
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == [
        "app_home_opened",
        "app_mention",
        "app_uninstalled",
        "member_joined_channel",
        "tokens_revoked",
    ]


def test_an_install_by_oauth_asks_for_the_manifests_scopes(manifest: dict) -> None:
    assert list(BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert [u.rsplit("/", 1)[-1] for u in manifest["oauth_config"]["redirect_urls"]] == ["oauth_redirect"]


def test_settings_and_features(manifest: dict) -> None:
    settings, features = manifest["settings"], manifest["features"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert features["bot_user"] == {"display_name": "tandem", "always_online": True}
    assert features["app_home"]["home_tab_enabled"] is True
    assert features["app_home"]["messages_tab_enabled"] is False
