"""A handoff number, once given out, is never given out again: on SQLite the table is
AUTOINCREMENT (a message naming #41 must never act on another #41), and the migration
keeps the handoffs already stored."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from bot.app.bootstrap import import_file
from bot.app.container import build
from bot.app.settings import Settings
from bot.grammar import parse_command
from handlers.notify import ChannelNotifier, one
from storage.db import MIGRATIONS, Database
from tests.conftest import EXAMPLE
from tests.support.in_process import InProcess


class Silent:
    """A conversation that posts nowhere."""

    def post(self, channel, text, blocks, thread_ts=None, metadata=None):
        return "1700000000.000100"

    def update(self, channel, ts, text, blocks):
        pass

    def upload(self, channel, filename, content, comment):
        pass

    def find_posted(self, channel, key, thread_ts=None):
        return None


def runtime(db: Database, clock) -> InProcess:
    import_file(db, EXAMPLE, "test", clock)
    return InProcess(build(Settings(), db, clock, ChannelNotifier(one(Silent()))))


def test_a_number_is_not_given_out_again_after_its_handoff_is_gone(db, clock):
    bot = runtime(db, clock)
    first, _ = bot.open_handoff(parse_command("/handoff", "provider: one"), "U0ALICE01", "C0SHARED01")
    second, _ = bot.open_handoff(parse_command("/handoff", "provider: two"), "U0ALICE01", "C0SHARED01")
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM handoffs WHERE id = :id"), {"id": second.id})
    third, _ = bot.open_handoff(parse_command("/handoff", "provider: three"), "U0ALICE01", "C0SHARED01")
    assert (first.id, second.id, third.id) == (1, 2, 3)


def test_the_migration_keeps_stored_handoffs_and_versions_them(tmp_path, clock):
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0013")
    old_row = """
        INSERT INTO handoffs (organisation_id, kind, summary, details, priority, requester, requester_side,
            target_side, target, status, opened_at, pauses)
        VALUES (1, 'handoff', 'from before', '', 'P2', 'U0ALICE01', 'internal', 'provider', 'provider', 'open',
            '2026-11-24 10:00:00', '[]')"""
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisations (id, key, name, timezone, business_days, business_start, business_end,"
                " digest_time, sla_default, sla_warn_at, matrix_version) VALUES (1, 'old', 'Old', 'UTC',"
                " 'mon-fri', '08:00', '18:00', '08:30', 'P2', '[]', 1)"
            )
        )
        connection.execute(text(old_row))
    db.upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT id, summary, version FROM handoffs")).all() == [(1, "from before", 1)]
        ddl = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'handoffs'")).scalar()
    assert "AUTOINCREMENT" in ddl
    db.dispose()
