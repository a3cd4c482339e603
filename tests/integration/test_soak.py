"""The soak of `bench.soak`, short: mixed traffic against `tandem run` with SIGKILLs and Slack
faults, ending with nothing posted twice, nothing committed left unposted and every request
answered within Slack's 3 s, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from bench.soak import ACK_LIMIT, SoakResult, soak
from tests.conftest import postgres_url


def _clean(result: SoakResult) -> None:
    assert result.kills >= 2 and result.faults >= 5 and result.handoffs >= 3 and result.steps >= 1, result
    assert result.duplicates == [], result.duplicates
    assert result.losses == [], result.losses
    assert result.unanswered == [] and result.slowest < ACK_LIMIT, (result.unanswered, result.slow)


def test_a_short_soak_with_kills_and_faults_posts_everything_once():
    _clean(soak(seconds=18, seed=7, kill_every=5))  # three kills or more; the long soak is `python -m bench.soak`


@pytest.mark.postgres
def test_a_short_soak_on_postgres_posts_everything_once_and_answers_in_time():
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    _clean(soak(seconds=15, seed=11, kill_every=4, postgres=base))  # shorter: SQLite's above is the long one
