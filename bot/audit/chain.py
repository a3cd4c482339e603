"""A hash chain over each organisation's audit events: any edit, removal or reordering shows.

Every event is hashed together with the hash of the event before it, in the order the
events were appended (`seq` 1, 2, 3 …). Changing an event changes its hash; removing one
leaves a gap in `seq` and a link that points at nothing; moving one breaks the links on
both sides. `verify` walks the chain and names the first event that does not fit.

The hash covers the organisation's key, not a database id, so an exported log verifies on
its own, anywhere. Whoever can rewrite the database can also recompute every hash after
an edit, so keep the chain's head (printed by `tandem audit-log verify`) somewhere else: a
rewritten chain cannot reproduce it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.evidence import AuditRecord

VERSION = 1
GENESIS = "0" * 64  # what the first event of an organisation links to


def canonical(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, text as itself."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def instant(at: datetime) -> str:
    """An instant as the chain spells it: UTC, to the microsecond."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    organisation: str,
    seq: int,
    at: datetime,
    actor: str,
    kind: str,
    subject: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 of an event and the hash it links to."""
    payload = {
        "v": VERSION,
        "organisation": organisation,
        "seq": seq,
        "at": instant(at),
        "actor": actor,
        "kind": kind,
        "subject": subject,
        "detail": detail,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical(payload).encode()).hexdigest()


def rehash(record: AuditRecord) -> str:
    """What the record's hash must be, from its own content and link."""
    return event_hash(
        record.organisation,
        record.seq,
        record.at,
        record.actor,
        record.kind,
        record.subject,
        record.detail,
        record.prev_hash,
    )


@dataclass(frozen=True)
class Head:
    """The newest link of a chain: how many events it holds and the last one's hash."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold: the event it names, and what is wrong there."""

    seq: int
    record: AuditRecord | None  # None when the event named is missing altogether
    problem: str

    def describe(self) -> str:
        if self.record is None:
            return self.problem
        r = self.record
        return f"event {self.seq} ({instant(r.at)} {r.kind} {r.subject} by {r.actor}): {self.problem}"


@dataclass(frozen=True)
class Verdict:
    organisation: str
    events: int
    head: Head | None  # the last event's link as read, None for an empty log
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(organisation: str, records: list[AuditRecord], head: Head | None = None) -> Verdict:
    """Check `records` (ordered by `seq`) link up from the genesis to `head`, if it is known.

    `head` is what the store recorded when it last appended: without it a removal of the
    newest events would leave a chain that still holds.
    """
    expected_seq, expected_prev = 1, GENESIS
    present = {r.seq for r in records}
    for record in records:
        problem = None
        if record.seq > expected_seq and expected_seq in present:
            problem = f"it comes before event {expected_seq}: the log was reordered"
        elif record.seq > expected_seq:
            problem = _missing(expected_seq, record.seq - 1, "before it")
        elif record.seq < expected_seq:
            problem = "its number is used twice: the log was reordered"
        elif rehash(record) != record.hash:
            problem = "it was changed after it was recorded"
        elif record.prev_hash != expected_prev:
            problem = "it does not follow the event before it: events were reordered or replaced"
        if problem:
            return Verdict(organisation, len(records), None, Break(record.seq, record, problem))
        expected_seq, expected_prev = record.seq + 1, record.hash
    last = Head(expected_seq - 1, expected_prev) if records else None
    broken = None
    if head is not None and head.seq >= expected_seq:
        broken = Break(expected_seq, None, _missing(expected_seq, head.seq, "at the end of the log"))
    elif head is not None and last is not None and head != last:
        broken = Break(last.seq, records[-1], "the log's recorded head does not match it: the log was rewritten")
    return Verdict(organisation, len(records), last, broken)


def _missing(first: int, last: int, where: str) -> str:
    if first == last:
        return f"event {first} {where} is missing: it was removed"
    return f"events {first}–{last} {where} are missing: they were removed"
