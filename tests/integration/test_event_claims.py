"""Claiming Slack events: first delivery wins, a finished claim is final, an abandoned one is taken over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage.db import Database
from storage.store import Store
from tests.conftest import fresh_postgres_database

LEASE = timedelta(seconds=60)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path):
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'claims.db'}")
        db.upgrade()
        yield db
        db.dispose()
        return
    with fresh_postgres_database() as url:  # its own database: a shared one may be at another schema
        db = Database(url)
        db.upgrade()
        yield db
        db.dispose()


def claim(db, event_id, at):
    with db.session() as session:
        return Store(session).claim_event(event_id, at, LEASE)


def test_claims(database, clock):
    now = clock.now()
    assert claim(database, "EvClaim1", now) is True
    assert claim(database, "EvClaim1", now + timedelta(seconds=5)) is False  # in hand elsewhere
    assert claim(database, "EvClaim1", now + timedelta(seconds=61)) is True  # abandoned: taken over
    with database.session() as session:
        Store(session).finish_event("EvClaim1", now + timedelta(seconds=62))
    assert claim(database, "EvClaim1", now + timedelta(hours=1)) is False  # finished: final
    assert claim(database, "EvClaim2", now) is True


def test_prune_forgets_finished_events_past_their_retention_only(database, clock):
    now = clock.now()
    for event_id, done in (("EvClaimOld", True), ("EvClaimNew", True), ("EvClaimOpen", False)):
        claim(database, event_id, now - timedelta(days=10 if event_id != "EvClaimNew" else 1))
        if done:
            with database.session() as session:
                Store(session).finish_event(event_id, now - timedelta(days=10 if event_id == "EvClaimOld" else 1))
    with database.session() as session:
        events, posts = Store(session).prune(now - timedelta(days=7), now - timedelta(days=90))
    assert (events, posts) == (1, 0)
    assert claim(database, "EvClaimNew", now) is False  # still remembered: a late retry stays a retry
    assert claim(database, "EvClaimOpen", now) is True  # unfinished claims are never pruned: taken over
