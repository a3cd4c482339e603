"""The soak of `bench.soak`, short: mixed traffic against `tandem run` with SIGKILLs and Slack
faults, ending with nothing posted twice and nothing committed left unposted."""

from __future__ import annotations

from bench.soak import soak


def test_a_short_soak_with_kills_and_faults_posts_everything_once():
    result = soak(seconds=25, seed=7, kill_every=6)
    assert result.kills >= 2 and result.faults >= 5 and result.handoffs >= 3 and result.steps >= 1, result
    assert result.duplicates == [], result.duplicates
    assert result.losses == [], result.losses
