"""Read a matrix file's `rotas:` section, with every problem's line, field and value.

```yaml
rotas:
  - key: ooh
    name: Red Kite after-hours rota
    people: [U0SAM0001, U0TOM0001, U0PRIYA01]   # in turn order
    handover: {every: 1w, at: "mon 09:00", start: 2026-11-02}   # every: Nd or Nw
```

A rota is then a party, `rota:ooh`, wherever the matrix names one: whoever's turn it is.
The matrix loader hands its reader in; this module only knows the section's own fields.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any, Protocol

from bot.calendar import DAY_NAMES
from bot.contract import loader as contract_loader
from bot.matrix.model import ROTA, Handover, Rota

ROTA_KEYS = ("key", "name", "people", "handover")
HANDOVER_KEYS = ("every", "at", "start")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,58}$")  # `rota:KEY` fits a party column of 64
EVERY = re.compile(r"^\s*(\d+)\s*([dw])\s*$", re.IGNORECASE)
AT = re.compile(r"^\s*(?:([a-z]{3})[a-z]*\s+)?([01]?\d|2[0-3]):([0-5]\d)\s*$", re.IGNORECASE)


class Reader(contract_loader.Reader, Protocol):
    def text(self, parent: Any, key: str, required: bool = True) -> str | None: ...


def read_rotas(reader: Reader, node: Any, people: set[str]) -> tuple[tuple[Rota, ...], set[str]]:
    """The section as `Rota`s (none when absent), and every key it names, even of a rota with a
    problem (so a ref to it is not reported twice); problems go to the reader."""
    rotas: list[Rota] = []
    seen: dict[str, int | None] = {}
    for item in reader.items(node):
        if not reader.mapping(item, ROTA_KEYS):
            continue
        key = reader.text(item, "key")
        if key and not KEY.match(key):
            reader.fail(reader.field(item, "key"), "use lower-case letters, digits, '-' or '_', at most 59 of them")
            key = None
        elif key in seen:
            reader.fail(reader.field(item, "key"), f"rota key '{key}' is used twice (also at line {seen[key]})")
            key = None
        elif key:
            seen[key] = reader.field(item, "key").line
        members = _people(reader, reader.field(item, "people"), people)
        handover = _handover(reader, reader.field(item, "handover"))
        if key and members and handover:
            rotas.append(Rota(key, reader.text(item, "name", required=False) or key, members, handover))
    return tuple(rotas), set(seen)


def _people(reader: Reader, node: Any, people: set[str]) -> tuple[str, ...]:
    members = []
    for item in reader.items(node):
        slack = str(item.value or "").strip()
        if slack not in people:
            reader.fail(item, f"{slack or 'an empty entry'} is not listed under any side's people")
        else:
            members.append(slack)
    if node.value is None:
        reader.fail(node, "'people' is required: the Slack member ids who take turns, in turn order")
    elif not members and isinstance(node.value, list) and not node.value:
        reader.fail(node, "a rota needs at least one person")
    return tuple(members)


def _handover(reader: Reader, node: Any) -> Handover | None:
    if node.value is None:
        reader.fail(node, "'handover' is required, e.g. {every: 1w, at: \"mon 09:00\", start: 2026-11-02}")
        return None
    if not reader.mapping(node, HANDOVER_KEYS):
        return None
    every_node, at_node, start_node = (reader.field(node, k) for k in HANDOVER_KEYS)
    every = EVERY.match(str(every_node.value or ""))
    if not every or int(every.group(1)) < 1:
        reader.fail(
            every_node, "'every' is how often the turn passes on: a whole number of days or weeks, e.g. 1d, 7d, 1w, 2w"
        )
    at = AT.match(str(at_node.value or ""))
    weekday = None
    if not at:
        reader.fail(
            at_node,
            '\'at\' is the local time of the handover, with its weekday for weekly rotas: "mon 09:00" or "09:00" (quote it)',
        )
    elif at.group(1):
        weekday = DAY_NAMES.index(at.group(1).lower()) if at.group(1).lower() in DAY_NAMES else None
        if weekday is None:
            reader.fail(at_node, f"'{at.group(1)}' is not a weekday: use mon, tue, wed, thu, fri, sat or sun")
            at = None
        elif every and every.group(2).lower() == "d":
            reader.fail(
                at_node,
                "a weekday in 'at' needs 'every' in weeks (1w, 2w): a handover every few days moves through the week",
            )
            at = None
    try:
        start = date.fromisoformat(str(start_node.value or "").strip())
    except ValueError:
        reader.fail(start_node, "'start' is the day of the first handover, written YYYY-MM-DD")
        return None
    if weekday is not None and start.weekday() != weekday:
        reader.fail(
            start_node,
            f"{start.isoformat()} is a {start.strftime('%A')}, but handovers are on {DAY_NAMES[weekday]} "
            f"('at'): start on a {DAY_NAMES[weekday]}",
        )
        return None
    if not (every and at) or int(every.group(1)) < 1:
        return None
    days = int(every.group(1)) * (7 if every.group(2).lower() == "w" else 1)
    return Handover(days, time(int(at.group(2)), int(at.group(3))), start, weekday)


def rota_problem(ref: str, rotas: set[str]) -> str | None:
    """What is wrong with a `rota:KEY` party ref (None when it names a rota of the file)."""
    key = ref.removeprefix(ROTA)
    if key in rotas:
        return None
    known = ", ".join(sorted(rotas)) or "none are defined"
    return f"no rota '{key}' under rotas (rotas: {known})"
