"""The customer responsibility matrix: the matrix as the document auditors ask for.

One row per area: the R/A/C/I letters each side holds, who exactly is responsible and
accountable, who is on duty after hours, the escalation contacts, and when both sides last
confirmed it. `tandem matrix export --format csv|markdown` writes it; a CSV names people
with their Slack id beside the name, the Markdown by name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping

from bot.calendar import format_week
from bot.contract.model import format_hours
from bot.contract.rules import approvers
from bot.errors import Who
from bot.matrix.model import CLOCK_24X7, SIDES, Area, Matrix

LETTERS = (("responsible", "R"), ("accountable", "A"), ("consulted", "C"), ("informed", "I"))
NOT_CONFIRMED = "not confirmed by both sides"


def side_letters(matrix: Matrix, area: Area, side: str) -> str:
    """The roles one side holds in an area, e.g. "R (lead), C"."""
    held = []
    for field, letter in LETTERS:
        if any(side in matrix.sides_of(ref) or ref == "shared" for ref in getattr(area, field)):
            lead = letter == "R" and area.is_shared and area.lead and side in matrix.sides_of(area.lead)
            held.append(f"{letter} (lead)" if lead else letter)
    return ", ".join(held) or "—"


def _namer(matrix: Matrix, with_ids: bool) -> Callable[[str], str]:
    def name(ref: str) -> str:
        word = matrix.describe_party(ref)
        if not isinstance(word, Who):
            return word
        person = matrix.people.get(word.slack)
        if person is None:
            return word.slack
        return f"{person.name} ({person.slack})" if with_ids else person.name

    return name


def rows(matrix: Matrix, confirmed: Mapping[str, str], with_ids: bool) -> list[dict[str, str]]:
    """One row per area; the sides' letters under `internal` and `provider`."""
    name = _namer(matrix, with_ids)

    def names(refs: tuple[str, ...]) -> str:
        return "; ".join(name(r) for r in refs) or "—"

    out = []
    for area in matrix.areas:
        out.append(
            {
                "area": area.key,
                "name": area.name,
                **{key: side_letters(matrix, area, key) for key in SIDES},
                "responsible": names(area.responsible),
                "accountable": names(area.accountable),
                "consulted": names(area.consulted),
                "informed": names(area.informed),
                "after hours": names(area.after_hours)
                if area.after_hours
                else ("nobody (24x7 needed)" if area.coverage == CLOCK_24X7 else "—"),
                "escalation": names(area.escalation),
                "last confirmed": confirmed.get(area.key, NOT_CONFIRMED),
            }
        )
    return out


def to_csv(matrix: Matrix, confirmed: Mapping[str, str]) -> str:
    table = rows(matrix, confirmed, with_ids=True)
    buffer = io.StringIO()
    columns = list(table[0]) if table else ["area", "name"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(matrix: Matrix, confirmed: Mapping[str, str], exported: str) -> str:
    """A document to read or print: who the sides are, the table, and the contract's terms."""
    name = _namer(matrix, with_ids=False)
    lines = [f"# Customer responsibility matrix — {_cell(matrix.name)}", ""]
    for side in matrix.sides:
        people = ", ".join(f"{p.name}{' (admin)' if p.admin else ''}" for p in side.people)
        lines.append(f"- **{_cell(side.name)}** ({side.key}): {_cell(people)}")
    lines += [
        "",
        f"Business hours {format_week(h.opening for h in matrix.business_hours)} {matrix.timezone}. "
        f"Exported {exported}. R = responsible, A = accountable, C = consulted, I = informed.",
        "",
    ]
    table = rows(matrix, confirmed, with_ids=False)
    if table:
        columns = [c for c in table[0] if c not in ("consulted", "informed")]
        titles = {key: _cell(side.name) for key, side in matrix.sides_by_key.items()}
        lines.append("| " + " | ".join(titles.get(c, c.capitalize()) for c in columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for row in table:
            lines.append("| " + " | ".join(_cell(row[c]) for c in columns) + " |")
    else:
        lines.append("The matrix has no areas yet.")
    contract = matrix.contract
    if contract is not None:
        lines += ["", "## Contract", ""]
        if contract.hours:
            bank = contract.hours
            term = f"- Block hours: {format_hours(bank.bank)} a {bank.per}"
            term += f", up to {format_hours(bank.rollover)} unused rolls over" if bank.rollover else ", no rollover"
            term += f"; overage {bank.overage_rate.text} an hour" if bank.overage_rate else ""
            lines.append(term + (f" (from {contract.start.isoformat()})" if contract.start else "") + ".")
        if contract.scope:
            lines.append(f"- Overflow scope: {_cell(', '.join(contract.scope))}.")
        lines.append(f"- Approves overflow outside the contract: {', '.join(name(p) for p in approvers(matrix))}.")
        lines.append(f"- Each area is re-confirmed by both sides at least every {contract.review.describe()}.")
    return "\n".join(lines) + "\n"
