"""YAML parsed by libyaml, with the line of every key and item kept for error messages.

A provider's matrix can run to tens of thousands of lines; libyaml parses it some ten
times faster than a pure-Python parser. Scalars are typed by the YAML 1.2 core schema
(so `no` stays a word and `08:00` stays a time, as the matrix format expects), and a key
written twice in one mapping is reported rather than silently overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class YamlProblem(Exception):
    line: int | None
    message: str


class _Lines:
    """The ruamel-style `lc` accessor the loader reads: 0-based (line, column) pairs."""

    def __init__(self, keys: dict, items: list) -> None:
        self._keys, self._items = keys, items

    def value(self, key):
        return self._keys[key]

    def item(self, index: int):
        return self._items[index]


class LinedMap(dict):
    lc: _Lines


class LinedList(list):
    lc: _Lines


def _scalar(node: yaml.ScalarNode):
    text = node.value
    if node.style:  # quoted or block: always text
        return text
    lowered = text.lower()
    if lowered in ("", "~", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def _build(node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        out = LinedList(_build(child) for child in node.value)
        out.lc = _Lines({}, [(child.start_mark.line, child.start_mark.column) for child in node.value])
        return out
    mapping, lines = LinedMap(), dict[Any, tuple[int, int]]()
    for key_node, value_node in node.value:
        key = _build(key_node)
        if isinstance(key, (dict, list)):
            raise YamlProblem(key_node.start_mark.line + 1, "a mapping key must be a single value")
        if key in mapping:
            raise YamlProblem(
                key_node.start_mark.line + 1,
                f"'{key}' appears twice in the same mapping (first at line {lines[key][0] + 1})",
            )
        mapping[key] = _build(value_node)
        lines[key] = (value_node.start_mark.line, value_node.start_mark.column)
    mapping.lc = _Lines(lines, [])
    return mapping


def load(text: str):
    """Parse `text`; raise YamlProblem (with its line) when it is not valid YAML."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else None, f"not valid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(None, f"not valid YAML: {exc}") from exc
    return None if node is None else _build(node)
