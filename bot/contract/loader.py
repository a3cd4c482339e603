"""Read a matrix file's `contract:` section, with every problem's line, field and value.

```yaml
contract:
  hours: {bank: 20h, per: month, rollover: 10h, overage_rate: 95 GBP}
  scope: [helpdesk overflow, laptop imaging, patching, m365 admin]
  approver: U0ALICE01     # default: the internal side's accountable admins
  warn_at: 80%
  review: 90d             # how often both sides re-confirm each area (default 90d)
  start: 2026-01-01       # optional: the contract's first day, where rollover starts
```

The matrix loader hands its reader in; this module only knows the section's own fields.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from bot.contract.model import DEFAULT_REVIEW, PERIODS, Contract, HoursBank, Money, parse_hours
from bot.matrix.durations import Duration, parse_percent
from bot.matrix.model import Person
from bot.matrix.names import normalize

CONTRACT_KEYS = ("hours", "scope", "approver", "warn_at", "review", "start")
HOURS_KEYS = ("bank", "per", "rollover", "overage_rate")


class Node(Protocol):
    value: Any
    line: int | None
    path: str


class Reader(Protocol):
    """What the matrix loader's reader offers (`bot.matrix.loader._Reader`)."""

    def fail(self, node: Any, message: str) -> None: ...
    def field(self, parent: Any, key: str | int) -> Any: ...
    def mapping(self, node: Any, allowed: tuple[str, ...]) -> bool: ...
    def items(self, node: Any) -> list[Any]: ...
    def party_list(self, parent: Any, key: str, allow_shared: bool = False) -> tuple[str, ...]: ...


def read_contract(reader: Reader, node: Node, internal: tuple[Person, ...], expand: Any) -> Contract | None:
    """The section as a `Contract` (None when absent); problems go to the reader.

    `internal`: the internal side's people, since the client approves.
    `expand`: turns a party ref into Slack ids.
    """
    internal_people = {p.slack for p in internal}
    if node.value is None:
        return None
    if not reader.mapping(node, CONTRACT_KEYS):
        return None
    hours = _hours(reader, reader.field(node, "hours"))
    scope = _scope(reader, reader.field(node, "scope"))
    approver = reader.party_list(node, "approver")
    if approver:
        people = [p for ref in approver for p in expand(ref)]
        if not people:
            reader.fail(reader.field(node, "approver"), "names nobody: give a person, or a side or group with people")
        elif outside := [p for p in people if p not in internal_people]:
            reader.fail(
                reader.field(node, "approver"),
                f"{outside[0]} is not on the internal side: the client approves what falls outside the contract",
            )
    elif (hours is not None or scope) and not any(p.admin for p in internal):
        reader.fail(
            node,
            "nobody approves overflow outside the contract: set 'approver', or make someone of the internal side an admin",
        )
    warn_at = None
    warn_node = reader.field(node, "warn_at")
    if warn_node.value is not None:
        try:
            warn_at = parse_percent(warn_node.value)
        except ValueError as exc:
            reader.fail(warn_node, str(exc))
        if hours is None and warn_at is not None:
            reader.fail(warn_node, "warn_at warns about the hours bank: add 'hours:' to the contract, or remove it")
    review = DEFAULT_REVIEW
    review_node = reader.field(node, "review")
    if review_node.value is not None:
        try:
            review = Duration.parse(review_node.value)
        except ValueError as exc:
            reader.fail(review_node, str(exc))
        if review.unit != "d":
            reader.fail(review_node, "write the re-confirmation interval in days, e.g. 90d")
    start = None
    start_node = reader.field(node, "start")
    if start_node.value is not None:
        try:
            start = date.fromisoformat(str(start_node.value))
        except ValueError:
            reader.fail(start_node, "expected the contract's first day, written YYYY-MM-DD")
    return Contract(hours=hours, scope=scope, approver=approver, warn_at=warn_at, review=review, start=start)


def _hours(reader: Reader, node: Node) -> HoursBank | None:
    if node.value is None:
        return None
    if not reader.mapping(node, HOURS_KEYS):
        return None
    bank = _amount(reader, reader.field(node, "bank"), required=True)
    rollover = _amount(reader, reader.field(node, "rollover"), required=False) or 0
    per_node = reader.field(node, "per")
    per = str(per_node.value).strip().lower() if per_node.value is not None else "month"
    if per not in PERIODS:
        reader.fail(per_node, "per must be 'month' or 'quarter': how often the bank of hours renews")
    rate = None
    rate_node = reader.field(node, "overage_rate")
    if rate_node.value is not None:
        try:
            rate = Money.parse(rate_node.value)
        except ValueError as exc:
            reader.fail(rate_node, str(exc))
    if bank is None:
        return None
    return HoursBank(bank=bank, per=per, rollover=rollover, overage_rate=rate)


def _amount(reader: Reader, node: Node, required: bool) -> int | None:
    if node.value is None:
        if required:
            reader.fail(node, "'bank' is required: the hours each period holds, e.g. 20h")
        return None
    try:
        return parse_hours(node.value)
    except ValueError as exc:
        reader.fail(node, str(exc))
        return None


def _scope(reader: Reader, node: Node) -> tuple[str, ...]:
    items: list[str] = []
    seen: dict[str, int | None] = {}
    for item in reader.items(node):
        if isinstance(item.value, (dict, list)) or item.value is None or not str(item.value).strip():
            reader.fail(item, "each scope entry is a short phrase, e.g. laptop imaging")
            continue
        text = str(item.value).strip()
        norm = normalize(text)
        if not norm:
            reader.fail(item, "a scope entry needs at least one word or number")
        elif norm in seen:
            reader.fail(item, f"'{text}' is in the scope twice (also at line {seen[norm]})")
        else:
            seen[norm] = item.line
            items.append(text)
    return tuple(items)
