"""Migration 0023 makes slack_sdk's own installation and state tables, on SQLite and PostgreSQL:
the DDL slack_sdk's `create_tables()` would have made (../shared/slack/oauth/sqlalchemy_schema.json),
and the stores read and write them through `bot.app.installations`."""

from __future__ import annotations

import json

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect

from bot.app.installations import WorkspaceClients, stores
from bot.app.settings import Settings
from bot.outbox import NotInstalled
from storage.db import Database
from tests.conftest import fresh_postgres_database
from tests.support import require_shared

SETTINGS = Settings(client_id="1000000000001.1000000000002", client_secret="s")


def reference() -> dict:
    return json.loads((require_shared() / "oauth" / "sqlalchemy_schema.json").read_text())["tables"]


def check(db: Database, dialect: str) -> None:
    tables = reference()
    inspector = inspect(db.engine)
    for name, table in tables.items():
        columns = inspector.get_columns(name)
        assert [c["name"] for c in columns] == [c["name"] for c in table["columns"]]
        assert [c["nullable"] for c in columns] == [c["nullable"] for c in table["columns"]]
        ddl = table["ddl"][dialect]
        for column in columns:  # each column's type as the reference DDL spells it for this dialect
            spelled = column["type"].compile(dialect=db.engine.dialect)
            assert f"\t{column['name']} {spelled}" in ddl.replace("SERIAL", "INTEGER"), (name, column["name"], spelled)
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(name)}
        assert indexes == {i["name"]: i["columns"] for i in table["indexes"]}

    installations, states = stores(SETTINGS, db.engine)
    state = states.issue()
    assert states.consume(state) and not states.consume(state)
    clients = WorkspaceClients(SETTINGS, installations, lambda token: token)  # type: ignore[arg-type,return-value]
    with pytest.raises(NotInstalled):
        clients.client("T0HOST0001")
    installations.save(
        Installation(app_id="A0TANDEM01", team_id="T0HOST0001", user_id="U0HFADMIN1", bot_token="xoxb-1", bot_id="B1")
    )
    installations.save(
        Installation(
            app_id="A0TANDEM01",
            enterprise_id="E0OSPREY01",
            team_id=None,
            is_enterprise_install=True,
            user_id="W0OSPADM01",
            bot_token="xoxb-org",
            bot_id="B2",
        )
    )
    installations.save(
        Installation(
            app_id="A0TANDEM01", enterprise_id="E0GRID0001", team_id="T0GRIDWS01", user_id="W1", bot_token="xoxb-grid"
        )
    )
    assert clients.client("T0HOST0001") == "xoxb-1"
    assert clients.client("E0OSPREY01") == "xoxb-org"  # an org-wide install, found by its enterprise
    assert clients.client("T0GRIDWS01") == "xoxb-grid"  # a Grid workspace's own install
    assert clients.installed() == 3
    installations.delete_all(enterprise_id=None, team_id="T0HOST0001")
    assert clients.client("T0HOST0001") == "xoxb-1"  # kept for a minute
    clients.forget("T0HOST0001")
    with pytest.raises(NotInstalled):
        clients.client("T0HOST0001")


def test_sqlite_gets_slack_sdks_tables(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'oauth.db'}")
    db.upgrade()
    with db.engine.connect() as connection:
        for name, table in reference().items():
            sql = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).scalar()
            assert sql == table["ddl"]["sqlite"]
    check(db, "sqlite")
    db.dispose()


@pytest.mark.postgres
def test_postgresql_gets_slack_sdks_tables():
    with fresh_postgres_database() as url:
        db = Database(url)
        db.upgrade()
        check(db, "postgresql")
        db.dispose()
