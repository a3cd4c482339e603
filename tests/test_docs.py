"""The documents a new user reads first say what the repository really holds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_the_license_pyproject_promises_is_there():
    promised = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]["text"]
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert promised == "MIT" and text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_slack_setup_counts_what_the_manifest_declares():
    manifest = yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))
    doc = (REPO / "docs" / "SLACK.md").read_text(encoding="utf-8")
    counts = re.search(r"summary \((\d+) slash commands, (\d+) shortcuts, (\d+) bot scopes, (\d+) bot events\)", doc)
    assert counts, "docs/SLACK.md no longer summarises the manifest"
    features = manifest["features"]
    declared = (
        len(features["slash_commands"]),
        len(features["shortcuts"]),
        len(manifest["oauth_config"]["scopes"]["bot"]),
        len(manifest["settings"]["event_subscriptions"]["bot_events"]),
    )
    assert tuple(int(n) for n in counts.groups()) == declared
    table = set(re.findall(r"^\| `([a-z_:.]+)`(?:, `([a-z_:.]+)`)? \|", doc, flags=re.M))
    assert {scope for row in table for scope in row if scope} == set(manifest["oauth_config"]["scopes"]["bot"])


def test_the_export_is_called_what_it_is():
    doc = (REPO / "docs" / "SLACK.md").read_text(encoding="utf-8")
    assert "audit-event export" not in doc and "handoff evidence CSV" in doc
