"""`/tandem evidence` and `/tandem gaps` through signed Slack requests against the stand-in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from bot.audit.chain import GENESIS

ALICE, BEN, PRIYA, SAM = "U0ALICE01", "U0BEN0001", "U0PRIYA01", "U0SAM0001"
TUESDAY_10AM = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def slack(slack_at):
    return slack_at(TUESDAY_10AM)


def uploaded(standin) -> list[dict[str, str]]:
    standin.wait_for("files.completeUploadExternal")
    [upload] = standin.uploads.values()
    content = upload.content.decode() if isinstance(upload.content, bytes) else upload.content
    return list(csv.DictReader(io.StringIO(content)))


def test_an_admin_shares_the_evidence_about_one_area(slack, standin):
    slack.answer("/handoff", "P2 backups: last night's Veeam job failed", ALICE)
    slack.answer("/handoff", "P3 vpn: new user for Leeds", ALICE)
    slack.answer("/tandem", "cover <@U0BEN0001|ben> until 2026-11-27", ALICE)
    reply = slack.answer("/tandem", "evidence backups 30d", PRIYA)
    assert reply["response_type"] == "ephemeral"
    assert (
        "Audit evidence for Harbour &amp; Finch Architects about area backups since 2026-10-25: 1 event"
        in (reply["text"])
    )
    [row] = uploaded(standin)
    assert row["kind"] == "handoff.open" and row["actor"] == ALICE and row["actor_name"] == "Alice Moss"
    assert "Veeam" in row["detail"] and row["seq"] == "2" and len(row["hash"]) == 64


def test_the_whole_log_since_a_date(slack, standin):
    slack.answer("/tandem", "done access-review checked 61 accounts", BEN)
    slack.answer("/tandem", "evidence 2026-11-01", ALICE)
    rows = uploaded(standin)
    assert [r["kind"] for r in rows] == ["matrix.import", "review.done"]
    assert rows[0]["prev_hash"] == GENESIS and rows[1]["prev_hash"] == rows[0]["hash"]


def test_evidence_is_for_admins_and_says_what_it_did_not_understand(slack, standin):
    refused = slack.answer("/tandem", "evidence backups", SAM)
    assert "Only a matrix admin can share the audit evidence" in refused["text"]
    unknown = slack.answer("/tandem", "evidence coffee machine", PRIYA)
    assert "No review or area matches 'coffee machine'" in unknown["text"]
    assert standin.calls("files.getUploadURLExternal") == []


def test_gaps_and_its_old_name_audit_answer_alike(slack, standin):
    gaps = slack.answer("/tandem", "gaps", SAM)
    audit = slack.answer("/tandem", "audit", SAM)
    assert gaps["text"] == audit["text"] and "No gaps" in gaps["text"]
