"""Test infrastructure that talks to the bot the way Slack does, over real HTTP.

* `slack_standin.SlackStandIn`: a local stand-in of the Slack Web API (plus response URLs
  and file-upload URLs) that the bot's `WebClient(base_url=...)` is pointed at.
* `slack_requests`: signed request bodies shaped like Slack's, and a tiny urllib `post`.

Nothing here mocks Slack inside Python: every exchange crosses a socket, so the bot under
test may equally run in-process or as a subprocess.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _shared_dir() -> Path:
    """The shared reference data (real Slack samples, schemas, limits, the product spec): the
    `shared` folder beside this checkout or, for a clone made elsewhere (CI clones into a
    temporary directory), beside the checkout it was cloned from; `TANDEM_SHARED_DIR` names
    another place."""
    if named := os.environ.get("TANDEM_SHARED_DIR"):
        return Path(named)
    beside = ROOT.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"], capture_output=True, text=True, check=False
    ).stdout.strip()
    cloned_from = Path(origin.removeprefix("file://"))  # a URL or host:path is no folder here
    return cloned_from.resolve().parent / "shared" if origin and cloned_from.is_dir() else beside


SHARED_DIR = _shared_dir()
SLACK_DIR = SHARED_DIR / "slack"


def require_shared() -> Path:
    """Return the shared Slack reference folder, or skip the calling test without it.

    A developer's checkout may lack the folder, so the test is skipped with a reason; under
    CI (`CI=true`) a missing folder means the pipeline is broken, so it fails instead of
    silently passing.
    """
    if SLACK_DIR.is_dir():
        return SLACK_DIR
    reason = f"shared Slack reference data not found at {SLACK_DIR}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason + " (CI=true: this must not be skipped)")
    pytest.skip(reason)
