"""The audit hash chain: an intact log verifies; a change, a removal or a reordering is named."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.audit.chain import GENESIS, Head, event_hash, verify
from bot.evidence import AuditRecord

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def chain(count: int = 5, org: str = "calder-voss") -> list[AuditRecord]:
    records, prev = [], GENESIS
    for seq in range(1, count + 1):
        at = START + timedelta(minutes=seq)
        detail = {"note": f"step {seq}", "hours": 1.5, "areas": ["desk-support"]}
        digest = event_hash(org, seq, at, "U0RAJ0001", "handoff.take", f"handoff #{seq}", detail, prev)
        records.append(AuditRecord(at, "U0RAJ0001", "handoff.take", f"handoff #{seq}", detail, org, seq, prev, digest))
        prev = digest
    return records


def head(records: list[AuditRecord]) -> Head:
    return Head(records[-1].seq, records[-1].hash)


def test_an_intact_chain_verifies_up_to_its_head():
    records = chain()
    verdict = verify("calder-voss", records, head(records))
    assert verdict.ok and verdict.events == 5 and verdict.head == head(records)


def test_an_empty_log_verifies():
    verdict = verify("calder-voss", [], None)
    assert verdict.ok and verdict.head is None


def test_a_changed_event_is_named():
    records = chain()
    records[2] = replace(records[2], detail={**records[2].detail, "note": "step 3, quietly edited"})
    verdict = verify("calder-voss", records, head(records))
    assert not verdict.ok and verdict.broken is not None
    assert verdict.broken.seq == 3 and "changed after it was recorded" in verdict.broken.describe()


def test_a_changed_actor_or_time_is_named_too():
    for change in ({"actor": "U0DANA001"}, {"at": START}):
        records = chain()
        records[1] = replace(records[1], **change)
        assert verify("calder-voss", records, head(records)).broken.seq == 2


def test_a_removed_event_is_named():
    records = chain()
    del records[1]
    verdict = verify("calder-voss", records, Head(5, chain()[-1].hash))
    assert verdict.broken is not None and verdict.broken.seq == 3
    assert "event 2 before it is missing" in verdict.broken.problem


def test_the_newest_events_removed_are_caught_by_the_head():
    records = chain()
    verdict = verify("calder-voss", records[:3], head(records))
    assert verdict.broken is not None and verdict.broken.seq == 4 and verdict.broken.record is None
    assert verdict.broken.describe() == "events 4–5 at the end of the log are missing: they were removed"


def test_reordered_events_are_named():
    records = chain()
    third, fourth = records[2], records[3]
    # Swapping their numbers (what ORDER BY seq reads back as a reordering of the log):
    records[2], records[3] = replace(fourth, seq=3), replace(third, seq=4)
    verdict = verify("calder-voss", records, head(records))
    assert verdict.broken is not None and verdict.broken.seq == 3


def test_a_moved_event_with_its_own_number_breaks_the_links():
    records = chain()
    records[1], records[2] = records[2], records[1]
    verdict = verify("calder-voss", records, head(records))
    assert verdict.broken is not None and verdict.broken.seq == 3 and "reordered" in verdict.broken.problem


def test_a_replaced_event_with_a_recomputed_hash_breaks_the_next_link():
    records = chain()
    forged = replace(records[1], detail={"note": "forged"})
    records[1] = replace(forged, hash=event_hash(**_fields(forged)))
    verdict = verify("calder-voss", records, head(records))
    assert verdict.broken is not None and verdict.broken.seq == 3
    assert "does not follow the event before it" in verdict.broken.problem


def test_a_wholly_recomputed_chain_does_not_match_the_head_kept_elsewhere():
    kept = head(chain())
    records = chain()
    records[0] = replace(records[0], detail={"note": "rewritten"})
    prev = GENESIS
    for i, record in enumerate(records):
        record = replace(record, prev_hash=prev)
        records[i] = replace(record, hash=event_hash(**_fields(record)))
        prev = records[i].hash
    verdict = verify("calder-voss", records, kept)
    assert verdict.broken is not None and "rewritten" in verdict.broken.problem


def test_the_hash_covers_the_organisation():
    records = chain(org="calder-voss")
    assert not verify("harbour-finch", [replace(r, organisation="harbour-finch") for r in records]).ok


def _fields(record: AuditRecord) -> dict:
    return {
        "organisation": record.organisation,
        "seq": record.seq,
        "at": record.at,
        "actor": record.actor,
        "kind": record.kind,
        "subject": record.subject,
        "detail": record.detail,
        "prev_hash": record.prev_hash,
    }
