"""The schema version the bot checks at start is Alembic's own head, and an up-to-date
database starts without importing Alembic at all."""

from __future__ import annotations

import subprocess
import sys

from alembic.config import Config
from alembic.script import ScriptDirectory

from storage.db import HEAD, MIGRATIONS, Database, schema_version
from tests.conftest import ROOT


def test_head_constant_is_the_newest_migration():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


def test_upgrade_brings_a_new_database_to_head(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'new.db'}")
    assert schema_version(db.engine) is None
    db.upgrade()
    assert schema_version(db.engine) == HEAD
    db.dispose()


def test_a_start_on_an_up_to_date_database_does_not_import_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    Database(url).upgrade()
    script = (
        f"import sys; from storage.db import Database; Database({url!r}).upgrade(); print('alembic' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip() == "False"
