"""The audit log for people: export it, verify its hash chain, share a slice of it as evidence.

`tandem audit-log export|verify` and `/tandem evidence` come through here; the chain and
the file formats are `bot.audit`'s.
"""

from __future__ import annotations

from datetime import datetime

from bot.audit.chain import Verdict, verify
from bot.audit.export import FORMATS, Log, to_csv, to_json
from bot.errors import TandemError
from bot.evidence import AuditRecord
from bot.matrix import rights
from bot.matrix.model import Matrix
from bot.ownership.resolve import AreaIndex
from bot.ports import Notifier, Store
from bot.services.cover import parse_since


def log_of(store: Store, org_key: str, since: datetime | None = None) -> Log:
    return Log(org_key, store.load_matrix(org_key), store.audit_events(org_key, since=since), store.audit_head(org_key))


def export(store: Store, org_keys: list[str], since: datetime | None, fmt: str, now: datetime) -> str:
    """The events of these organisations (from `since` on), as CSV or JSON."""
    if fmt not in FORMATS:
        raise TandemError(f"Unknown format '{fmt}': use csv or json.")
    logs = [log_of(store, key, since) for key in org_keys]
    return to_json(logs, since, now) if fmt == "json" else to_csv(logs)


def check(store: Store, org_key: str) -> Verdict:
    """Walk the organisation's whole chain, up to the head recorded at the last append."""
    return verify(org_key, store.audit_events(org_key), store.audit_head(org_key))


def _subject(matrix: Matrix, index: AreaIndex, words: str) -> tuple[str, str] | None:
    """("review", key) or ("area", key) for what `/tandem evidence` was asked about."""
    if not words:
        return None
    review = matrix.review(words) or next((r for r in matrix.reviews if r.name.lower() == words.lower()), None)
    if review is not None:
        return "review", review.key
    resolution = index.resolve(words)
    if resolution.area is not None:
        return "area", resolution.area.key
    reviews = ", ".join(r.key for r in matrix.reviews[:10]) or "none"
    closest = ", ".join(m.area.key for m in resolution.matches) or "see /tandem matrix"
    raise TandemError(
        f"No review or area matches '{words}'. Reviews: {reviews}. Closest areas: {closest}. "
        "Write it as: /tandem evidence [review or area] [YYYY-MM-DD or 30d]"
    )


def _about(records: list[AuditRecord], matrix: Matrix, subject: tuple[str, str]) -> list[AuditRecord]:
    """The events that concern one review or one area (its handoffs, changes, sign-offs and reviews)."""
    kind, key = subject
    if kind == "review":
        return [r for r in records if r.kind.startswith("review.") and r.subject == key]
    handoffs = {r.subject for r in records if r.kind == "handoff.open" and r.detail.get("area") == key}
    reviews = {r.key for r in matrix.reviews if r.area == key}
    marker = f"area '{key}'"
    return [
        r
        for r in records
        if r.subject in handoffs
        or (r.kind.startswith("review.") and r.subject in reviews)
        or key in (r.detail.get("areas") or ())
        or any(str(line).startswith(marker) for line in r.detail.get("changes") or ())
    ]


def _split(text: str) -> tuple[str, str]:
    """(what, since) from `[review|area] [since]`: a date or a day count ends the words."""
    words = text.split()
    if words and (words[-1][:1].isdigit()):
        return " ".join(words[:-1]), words[-1]
    return " ".join(words), ""


def share_evidence(
    store: Store,
    matrix: Matrix,
    index: AreaIndex,
    user: str,
    text: str,
    channel: str | None,
    now: datetime,
    notifier: Notifier,
) -> str:
    """`/tandem evidence [review|area] [since]`: an admin shares that slice of the log as a CSV."""
    rights.require_admin(matrix, user, "share the audit evidence")
    where = rights.share_channel(matrix, channel, "the audit evidence")
    words, since_text = _split(text)
    since = parse_since(since_text, now, matrix.timezone)
    subject = _subject(matrix, index, words)
    records = store.audit_events(matrix.organisation)
    if subject is not None:
        records = _about(records, matrix, subject)
    records = [r for r in records if r.at >= since]
    content = to_csv([Log(matrix.organisation, matrix, records)])
    about = f" about {subject[0]} {subject[1]}" if subject else ""
    count = len(records)
    comment = (
        f"Audit evidence for {matrix.name}{about} since {since:%Y-%m-%d}: {count} event{'s' if count != 1 else ''}, "
        "hash-chained (`tandem audit-log verify` checks the whole log)."
    )
    name = f"tandem-evidence-{matrix.organisation}{'-' + subject[1] if subject else ''}-{now:%Y%m%d}.csv"
    notifier.share_file(matrix, where, name, content, comment)
    return comment
