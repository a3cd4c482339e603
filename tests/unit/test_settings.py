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
