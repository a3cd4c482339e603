"""The `contract:` section: loaded with line numbers, exported, round-tripped; the approver;
and the customer responsibility matrix written from the matrix."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from bot.contract.model import DEFAULT_REVIEW, Money
from bot.contract.rules import approvers
from bot.errors import MatrixError
from bot.matrix import crm
from bot.matrix.diff import changes
from bot.matrix.export import export_text
from bot.matrix.loader import load_text
from tests.conftest import ROOT

LAW_FIRM = (ROOT / "tests" / "data" / "law_firm.yml").read_text()
CONTRACT = """
contract:
  hours: {bank: 20h, per: month, rollover: 10h, overage_rate: 95 GBP}
  scope: [helpdesk overflow, laptop imaging, patching, m365 admin]
  approver: U0DANA001
  warn_at: 80%
"""


def law_firm(contract: str = CONTRACT):
    return load_text(LAW_FIRM + contract, "law.yml")


def problems(contract: str) -> list[str]:
    with pytest.raises(MatrixError) as caught:
        law_firm(contract)
    return [str(p) for p in caught.value.problems]


def test_the_section_loads_as_written():
    contract = law_firm().contract
    assert contract is not None and contract.hours is not None
    assert (contract.hours.bank, contract.hours.per, contract.hours.rollover) == (1200, "month", 600)
    assert contract.hours.overage_rate == Money(Decimal("95"), "GBP")
    assert contract.scope == ("helpdesk overflow", "laptop imaging", "patching", "m365 admin")
    assert contract.approver == ("U0DANA001",) and contract.warn_at == 80 and contract.review == DEFAULT_REVIEW


def test_a_matrix_without_the_section_has_no_contract():
    assert load_text(LAW_FIRM).contract is None


def test_export_writes_the_section_back_and_it_imports_to_the_same_matrix():
    matrix = law_firm(CONTRACT.replace("per: month", "per: quarter") + "  review: 60d\n  start: 2026-01-01\n")
    text = export_text(matrix)
    assert "contract:\n  hours: {bank: 20h, per: quarter, rollover: 10h, overage_rate: 95 GBP}" in text
    assert load_text(text) == matrix


def test_every_problem_is_named_with_its_line_and_field():
    found = problems(
        """
contract:
  hours: {bank: lots, per: week, overage_rate: 95}
  scope: [laptop imaging, Laptop-Imaging]
  approver: U0LENA001
  warn_at: 180%
  review: 12h
  start: soon
  budget: 1
"""
    )
    line = LAW_FIRM.count("\n") + 3
    assert found == [
        f"law.yml:{line + 6}: contract.budget = '1': unknown field 'budget'; allowed: hours, scope, approver, warn_at, review, start",
        f"law.yml:{line}: contract.hours.bank = 'lots': 'lots' is not an amount of time: write hours such as 1.5h, 20h or 90m",
        f"law.yml:{line}: contract.hours.per = 'week': per must be 'month' or 'quarter': how often the bank of hours renews",
        f"law.yml:{line}: contract.hours.overage_rate = '95': 95 is not an hourly rate: write an amount and its currency, e.g. 95 GBP",
        f"law.yml:{line + 1}: contract.scope[1] = 'Laptop-Imaging': 'Laptop-Imaging' is in the scope twice (also at line {line + 1})",
        f"law.yml:{line + 2}: contract.approver = 'U0LENA001': U0LENA001 is not on the internal side: the client approves what falls outside the contract",
        f"law.yml:{line + 3}: contract.warn_at = '180%': '180%' is not a percentage: write a whole number from 1 to 100 followed by %, e.g. 75%",
        f"law.yml:{line + 4}: contract.review = '12h': write the re-confirmation interval in days, e.g. 90d",
        f"law.yml:{line + 5}: contract.start = 'soon': expected the contract's first day, written YYYY-MM-DD",
    ]


def test_warn_at_needs_hours_and_a_bank_is_required():
    assert any("warn_at warns about the hours bank" in p for p in problems("contract:\n  warn_at: 80%\n"))
    assert any("'bank' is required" in p for p in problems("contract:\n  hours: {per: month}\n"))


def test_the_approver_defaults_to_the_internal_accountable_admins():
    assert approvers(law_firm(CONTRACT.replace("  approver: U0DANA001\n", ""))) == ("U0DANA001",)
    assert approvers(law_firm(CONTRACT.replace("approver: U0DANA001", "approver: internal"))) == (
        "U0DANA001",
        "U0OMAR001",
    )


def test_a_contract_nobody_can_approve_is_refused():
    no_admin = LAW_FIRM.replace(
        "{slack: U0DANA001, name: Dana Whit, admin: true}", "{slack: U0DANA001, name: Dana Whit}"
    )
    with pytest.raises(MatrixError, match="nobody approves overflow outside the contract"):
        load_text(no_admin + CONTRACT.replace("  approver: U0DANA001\n", ""))


def test_a_changed_contract_is_a_change():
    assert "contract changed" in changes(law_firm(), law_firm(CONTRACT.replace("20h", "25h")))


def test_the_responsibility_matrix_gives_each_side_its_letters():
    matrix = law_firm()
    rows = list(
        csv.DictReader(io.StringIO(crm.to_csv(matrix, {"desk-support": "2026-11-24 by Dana Whit and Lena Park"})))
    )
    dms, desk = rows
    assert dms["area"] == "document-management" and (dms["internal"], dms["provider"]) == ("C", "R, A")
    assert dms["after hours"] == "Northwind Managed IT nightdesk group"
    assert dms["escalation"] == "Lena Park (U0LENA001); Dana Whit (U0DANA001)"
    assert dms["last confirmed"] == crm.NOT_CONFIRMED
    assert (desk["internal"], desk["provider"]) == ("R, A", "—") and desk["last confirmed"].startswith("2026-11-24")


def test_the_markdown_document_names_sides_people_and_the_contract():
    text = crm.to_markdown(law_firm(), {}, "2026-11-24 10:00 EST")
    assert text.startswith("# Customer responsibility matrix — Calder & Voss LLP\n")
    assert "| Area | Name | Calder & Voss office IT | Northwind Managed IT | Responsible |" in text
    assert (
        "| desk-support | Desk support and printers | R, A | — | Calder & Voss office IT (internal) | Dana Whit |"
        in text
    )
    assert "- Block hours: 20h a month, up to 10h unused rolls over; overage 95 GBP an hour." in text
    assert "- Approves overflow outside the contract: Dana Whit." in text
