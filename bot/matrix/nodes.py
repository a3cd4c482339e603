"""Values read from a YAML document with the line and field path each came from.

The matrix loader builds on this: every value it reads is a `Node`, so a problem (or a
warning) names the file, line, field and value without the loader tracking them itself.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import time
from typing import Any

from bot.errors import Problem
from bot.matrix.durations import Duration

HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass
class Node:
    """A value with where it came from."""

    value: Any
    line: int | None
    path: str


class NodeReader:
    """Reads values out of nodes, recording a `Problem` for each one that is wrong and a
    warning for each one that loads but deserves a second look."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- reporting ---------------------------------------------------------------
    def fail(self, node: Node, message: str) -> None:
        self.problems.append(self._problem(node, message))

    def warn(self, node: Node, message: str) -> None:
        self.warnings.append(self._problem(node, message))

    def _problem(self, node: Node, message: str) -> Problem:
        shown = "" if isinstance(node.value, (dict, list)) or node.value is None else str(node.value)
        return Problem(self.source, node.line, node.path, shown, message)

    def field(self, parent: Node, key: str | int) -> Node:
        container = parent.value
        line = parent.line
        lc = getattr(container, "lc", None)
        try:
            if lc is not None and isinstance(key, int):
                line = lc.item(key)[0] + 1
            elif lc is not None and key in container:
                line = lc.value(key)[0] + 1
        except (KeyError, IndexError, TypeError):
            pass
        value = container.get(key) if isinstance(container, dict) else container[key]
        path = f"{parent.path}[{key}]" if isinstance(key, int) else (f"{parent.path}.{key}" if parent.path else key)
        return Node(value, line, path)

    def mapping(self, node: Node, allowed: tuple[str, ...]) -> bool:
        if not isinstance(node.value, dict):
            self.fail(node, "expected a mapping of fields (key: value)")
            return False
        for key in node.value:
            if str(key) not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                extra = f"; did you mean '{hint[0]}'?" if hint else f"; allowed: {', '.join(allowed)}"
                self.fail(self.field(node, key), f"unknown field '{key}'{extra}")
        return True

    def items(self, node: Node) -> list[Node]:
        if node.value is None:
            return []
        if not isinstance(node.value, list):
            self.fail(node, "expected a list")
            return []
        return [self.field(node, i) for i in range(len(node.value))]

    def text(self, parent: Node, key: str, required: bool = True) -> str | None:
        node = self.field(parent, key)
        if node.value is None or str(node.value).strip() == "":
            if required:
                self.fail(node, f"'{key}' is required")
            return None
        if isinstance(node.value, (dict, list)):
            self.fail(node, f"'{key}' must be a single value")
            return None
        return str(node.value).strip()

    def duration(self, parent: Node, key: str, required: bool = True) -> Duration | None:
        node = self.field(parent, key)
        if node.value is None:
            if required:
                self.fail(node, f"'{key}' is required (a duration such as 15m, 4h or 3d)")
            return None
        try:
            return Duration.parse(node.value)
        except ValueError as exc:
            self.fail(node, str(exc))
            return None

    def clock_time(self, parent: Node, key: str, default: str | None = None) -> time | None:
        node = self.field(parent, key)
        raw = default if node.value is None else str(node.value)
        if raw is None:
            self.fail(node, f"'{key}' is required (a 24-hour time such as \"08:00\")")
            return None
        match = HHMM.match(raw.strip())
        if not match:
            self.fail(node, 'expected a 24-hour time such as "08:00" (quote it)')
            return None
        return time(int(match.group(1)), int(match.group(2)))
