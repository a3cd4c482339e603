"""The contract section in the database and on the command line."""

from __future__ import annotations

from bot.app.bootstrap import import_file
from bot.matrix.loader import load_file
from storage.store import Units
from tests.integration.test_cli import tandem
from tests.unit.test_contract_matrix import CONTRACT, LAW_FIRM


def test_the_contract_is_stored_and_read_back_equal(db, clock, tmp_path):
    path = tmp_path / "law.yml"
    path.write_text(LAW_FIRM + CONTRACT + "  start: 2026-01-01\n")
    import_file(db, path, "cli", clock)
    with Units(db)() as store:
        assert store.load_matrix("calder-voss") == load_file(path)
    path.write_text(LAW_FIRM)
    _, changes = import_file(db, path, "cli", clock)
    assert changes == ["contract changed"]
    with Units(db)() as store:
        matrix = store.load_matrix("calder-voss")
        assert matrix is not None and matrix.contract is None


def test_the_cli_exports_the_file_and_the_responsibility_matrix(tmp_path):
    path = tmp_path / "law.yml"
    path.write_text(LAW_FIRM + CONTRACT)
    assert tandem(tmp_path, "matrix", "import", str(path)).returncode == 0
    yaml = tandem(tmp_path, "matrix", "export", "-o", "again.yml")
    assert yaml.returncode == 0 and load_file(tmp_path / "again.yml") == load_file(path)
    markdown = tandem(tmp_path, "matrix", "export", "--format", "markdown")
    assert markdown.stdout.startswith("# Customer responsibility matrix — Calder & Voss LLP")
    assert "## Contract" in markdown.stdout
    table = tandem(tmp_path, "matrix", "export", "--format", "csv", "-o", "crm.csv")
    assert table.returncode == 0
    header = (tmp_path / "crm.csv").read_text().splitlines()[0]
    assert (
        header
        == "area,name,internal,provider,responsible,accountable,consulted,informed,after hours,escalation,last confirmed"
    )
    wrong = tandem(tmp_path, "matrix", "export", "--format", "pdf")
    assert wrong.returncode == 2 and "'pdf' is not one of 'yaml', 'csv', 'markdown'" in wrong.stderr
