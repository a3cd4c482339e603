"""The party refs a matrix file defines (sides, groups, rotas, people), for checking each RACI
cell as the loader reads it, before any `Matrix` exists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.matrix.model import ROTA, SHARED, SIDES
from bot.matrix.rota_loader import rota_problem

SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass
class Parties:
    """Which party refs the file defines, for checking every RACI cell."""

    people: set[str]
    groups: set[str]
    rotas: set[str]
    sides: dict[str, str] = field(default_factory=dict)  # person -> side key
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group ref -> member ids

    def example(self, ref: str) -> str:
        """A listed person to suggest in place of `ref`: one of its members, or anyone."""
        side = ref.split(".")[0]
        members = sorted(p for p in self.people if p in self.members.get(ref, ()))
        same_side = sorted(p for p in self.people if self.sides.get(p) == side)
        return (members or same_side or sorted(self.people) or ["U0ALICE01"])[0]

    def problem(self, ref: str, allow_shared: bool, allow_rota: bool = True) -> str | None:
        if ref == SHARED:
            return None if allow_shared else "'shared' is only for 'responsible'; name one party here"
        if ref.startswith(ROTA):
            if not allow_rota:
                return "a rota changes hands, and one person answers for an area: name that person here"
            return rota_problem(ref, self.rotas)
        if ref in SIDES or ref in self.groups or ref in self.people:
            return None
        if "." in ref and ref.split(".")[0] in SIDES:
            return f"no group '{ref.split('.', 1)[1]}' under sides.{ref.split('.')[0]}.groups"
        if SLACK_USER.match(ref):
            return f"{ref} is not listed under any side's people"
        return f"unknown party '{ref}': use internal, provider, side.group, rota:KEY or a listed Slack member id"
