"""Overflow against the contract: scope matching, why a request is held, and the approval's states."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.contract.approval import (
    OUT_OF_SCOPE,
    OVER_BANK,
    OverflowRequest,
    Refused,
    decide,
    hold_for,
    hold_words,
)
from bot.contract.bank import period_of, statement
from bot.contract.model import HoursBank
from bot.contract.rules import approvers, approvers_at
from bot.contract.scope import ScopeIndex
from bot.errors import plain
from bot.matrix.loader import load_text
from bot.ownership.cover import LeavePeriod
from tests.unit.test_contract_matrix import CONTRACT, LAW_FIRM

SCOPE = ScopeIndex(("helpdesk overflow", "laptop imaging", "new starter setup", "patching", "m365 admin"))
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
DECEMBER = period_of(date(2026, 12, 2), "month")
BANK = HoursBank(bank=20 * 60, rollover=0)


@pytest.mark.parametrize(
    ("summary", "entry"),
    [
        ("30 laptops to image by Friday", "laptop imaging"),
        ("Imaging of laptops for the new office", "laptop imaging"),
        ("patch the servers", "patching"),
        ("patch the meeting room PCs", "patching"),
        ("pacthing for the meeting room PCs", "patching"),
        ("Administration of M365: a shared mailbox", "m365 admin"),
        ("set up a laptop for the new starter", "new starter setup"),
        ("M365 admin: add a shared mailbox", "m365 admin"),
    ],
)
def test_requests_in_scope_match_their_entry_as_people_write_them(summary, entry):
    match = SCOPE.match(summary)
    assert match.in_scope and match.entry == entry


@pytest.mark.parametrize(
    "summary",
    [
        "firewall rule for the new VPN",
        "rewire the office",
        "reimage 3 laptops",
        "paint the waiting room",  # "paint" is near "patching" as typing goes, but another job
        "print the waiting list",
    ],
)
def test_requests_outside_the_scope_do_not_match(summary):
    assert not SCOPE.match(summary).in_scope


def test_a_contract_without_scope_puts_no_limit_on_it():
    assert ScopeIndex(()).match("anything at all").in_scope


def test_in_scope_with_hours_left_is_not_held():
    assert hold_for(SCOPE.match("patch the servers"), statement(BANK, {DECEMBER.start: 19 * 60}, DECEMBER)) is None
    assert hold_for(SCOPE.match("patch the servers"), None) is None  # no bank: scope alone decides


def test_a_used_up_bank_holds_even_work_in_scope():
    used_up = statement(BANK, {DECEMBER.start: 20 * 60}, DECEMBER)
    hold = hold_for(SCOPE.match("patch the servers"), used_up)
    assert hold is not None and hold.reasons == (OVER_BANK,)
    assert hold_words(hold) == "the bank of hours for December 2026 is used up"


def test_out_of_scope_and_over_the_bank_says_both():
    over = statement(BANK, {DECEMBER.start: 23 * 60}, DECEMBER)
    hold = hold_for(SCOPE.match("rewire the office"), over)
    assert hold is not None and hold.reasons == (OUT_OF_SCOPE, OVER_BANK)
    assert hold_words(hold).startswith("it is not in the contract's scope of work, and the bank")


def law_firm(contract: str = CONTRACT):
    return load_text(LAW_FIRM + contract, "law.yml")


def held(matrix, requester: str = "U0OMAR001") -> OverflowRequest:
    hold = hold_for(SCOPE.match("rewire the office"), None)
    assert hold is not None
    return OverflowRequest(1, "law", requester, "rewire the office", "P3", hold, approvers(matrix), NOW)


def test_the_approver_approves_and_the_request_remembers_who_and_when():
    matrix = law_firm()
    approved = decide(held(matrix), "approve", "U0DANA001", NOW, matrix)
    assert (approved.status, approved.decided_by, approved.decided_at) == ("approved", "U0DANA001", NOW)


def test_a_decline_needs_a_reason_and_keeps_it():
    matrix = law_firm()
    with pytest.raises(Refused, match="Say why it is declined"):
        decide(held(matrix), "decline", "U0DANA001", NOW, matrix, "  ")
    declined = decide(held(matrix), "decline", "U0DANA001", NOW, matrix, " we do this in house ")
    assert (declined.status, declined.reason) == ("declined", "we do this in house")


@pytest.mark.parametrize("who", ["U0OMAR001", "U0LENA001", "U0RAJ0001", "U0NOBODY1"])
def test_anyone_but_the_approver_is_refused(who):
    matrix = law_firm()  # approver: U0DANA001
    with pytest.raises(Refused) as refused:
        decide(held(matrix), "approve", who, NOW, matrix)
    assert plain(refused.value.words).startswith("Only @U0DANA001 can approve or decline")


def test_a_decided_request_is_decided_once():
    matrix = law_firm()
    approved = decide(held(matrix), "approve", "U0DANA001", NOW, matrix)
    for action in ("approve", "decline"):
        with pytest.raises(Refused, match=r"already approved this request\. Your click changed nothing"):
            decide(approved, action, "U0DANA001", NOW, matrix, "no")
    declined = decide(held(matrix), "decline", "U0DANA001", NOW, matrix, "not now")
    with pytest.raises(Refused, match="already declined this request: “not now”"):
        decide(declined, "approve", "U0DANA001", NOW, matrix)


def test_without_a_named_approver_any_internal_admin_decides_and_nobody_else():
    matrix = law_firm(CONTRACT.replace("  approver: U0DANA001\n", ""))
    request = held(matrix)
    assert request.approvers == ("U0DANA001",)  # the internal accountable admin
    assert decide(request, "approve", "U0DANA001", NOW, matrix).status == "approved"
    for who in ("U0OMAR001", "U0LENA001"):  # internal but no admin; provider admin
        with pytest.raises(Refused):
            decide(request, "approve", who, NOW, matrix)


def dana_away(cover: str | None) -> list[LeavePeriod]:
    return [LeavePeriod("U0DANA001", datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 24, tzinfo=UTC), cover)]


def test_an_approver_away_is_stood_in_for_by_whoever_covers_them_on_the_client_side():
    matrix = law_firm()
    waits_on = approvers_at(matrix, NOW, dana_away("U0OMAR001"))
    assert waits_on == ("U0OMAR001",)
    request = replace(held(matrix), approvers=waits_on)
    assert decide(request, "approve", "U0OMAR001", NOW, matrix).decided_by == "U0OMAR001"
    assert (
        decide(request, "approve", "U0DANA001", NOW, matrix).decided_by == "U0DANA001"
    )  # the contract's approver still may
    with pytest.raises(Refused) as refused:
        decide(request, "approve", "U0LENA001", NOW, matrix)
    assert plain(refused.value.words).startswith("Only @U0OMAR001 or @U0DANA001 can approve or decline")
    assert approvers_at(matrix, datetime(2026, 12, 24, tzinfo=UTC), dana_away("U0OMAR001")) == ("U0DANA001",)


@pytest.mark.parametrize("cover", ["U0LENA001", None])
def test_a_cover_of_the_provider_or_none_leaves_the_approver_named(cover):
    """Approving the client's spending is the client's decision: a provider engineer covering
    the approver's handoffs does not inherit it, and a request always waits on someone."""
    assert approvers_at(law_firm(), NOW, dana_away(cover)) == ("U0DANA001",)
