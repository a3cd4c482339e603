"""The default review library: recurring reviews a co-managed contract can adopt as they are.

The entries live in `library.yml`, shipped as package data beside this module, so the people
who agree a contract can read and edit them as the same YAML they put in the matrix file's
`reviews:` list. Each entry cites the control that asks for it (CIS Controls v8, NIST CSF 2.0)
or says "common practice" where no standard sets a frequency.
"""

from __future__ import annotations

from importlib.resources import files

from ruamel.yaml import YAML


def load_library() -> list[dict]:
    """The library's entries as plain dicts, in file order (grouped from weekly to annual)."""
    text = files(__package__).joinpath("library.yml").read_text(encoding="utf-8")
    return [dict(entry) for entry in YAML(typ="safe").load(text)]
