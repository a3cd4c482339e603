"""A starter matrix for `tandem matrix init`: the usual co-managed areas and the default
review library, with placeholder people to replace before importing for real.

It validates as it is, so `tandem matrix import` and `tandem console --matrix` work on it
straight away; `tandem matrix audit` then shows what still needs deciding.
"""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from bot.matrix.export import export_text
from bot.matrix.loader import load_text
from bot.matrix.model import PLACEHOLDER, Matrix
from bot.reviews.library import load_library

# Area key -> (name, who usually does the work in a co-managed split)
AREAS = {
    "helpdesk": ("Helpdesk and user support", "internal"),
    "onsite-hardware": ("On-site hardware and peripherals", "internal"),
    "vendors": ("Vendor and supplier relations", "internal"),
    "patching": ("Patch management", "provider"),
    "endpoint-security": ("Endpoint security and EDR", "provider"),
    "security-monitoring": ("Security monitoring and alert triage", "provider"),
    "backups": ("Backups", "provider"),
    "restore-testing": ("Restore testing", "provider"),
    "m365": ("Microsoft 365 administration", "internal"),
    "cloud": ("Cloud infrastructure", "provider"),
    "network": ("Network and firewall", "provider"),
    "starters-leavers": ("Starters and leavers", "internal"),
    "compliance-docs": ("Compliance documentation", "internal"),
    "strategy": ("IT strategy and roadmap", "internal"),
    "after-hours-monitoring": ("After-hours monitoring", "provider"),
    "incident-response": ("Security incident response", "provider"),
    "licensing": ("Software licensing", "internal"),
}
INTERNAL_ADMIN, PROVIDER_ADMIN = f"U0{PLACEHOLDER}1", f"U0{PLACEHOLDER}2"


def client_text(
    organisation: str,
    name: str,
    timezone: str,
    channel: str | None = None,
    team: str | None = None,
    template: Matrix | None = None,
) -> str:
    """A new client's matrix as a file: the provider's `template` (its side, areas, SLA,
    reviews and rotas) or the starter, under this client's key, name, zone, channel and
    workspace; raises MatrixError if the arguments make it invalid."""
    if template is None and not channel and not team:
        return starter_text(organisation, name, timezone)
    base = template or load_text(starter_text(organisation, name, timezone), source="starter")
    internal = base.side("internal")
    sides = tuple(replace(s, name=f"{name} IT") if s is internal and template else s for s in base.sides)
    matrix = replace(
        base,
        organisation=organisation,
        name=name,
        timezone=timezone,
        channel=channel or base.channel,
        team=team or base.team,
        sides=sides,
    )
    text = export_text(matrix)
    load_text(text, source=f"the matrix for {organisation}")  # the arguments' problems, by field
    todo = "replace the template's internal people with the client's" if template else _TODO
    return f"# {name}: {todo}, then:\n# tandem matrix import FILE\n" + text


_TODO = "replace U0CHANGEME1/2 with real Slack member ids, add your people, aliases and after-hours cover"


def starter_text(organisation: str, name: str, timezone: str) -> str:
    """The starter matrix as a file; raises MatrixError if the arguments make it invalid."""
    doc = CommentedMap(
        organisation=organisation,
        name=name,
        timezone=timezone,
        business_hours={"days": "mon-fri", "start": "09:00", "end": "17:30"},
        sides={
            "internal": {
                "name": f"{name} IT",
                "people": [{"slack": INTERNAL_ADMIN, "name": "Internal IT lead", "admin": True}],
            },
            "provider": {
                "name": "Your IT provider",
                "people": [{"slack": PROVIDER_ADMIN, "name": "Provider service manager", "admin": True}],
            },
        },
        sla={
            "P1": {"respond": "30m", "resolve": "4h", "clock": "24x7"},
            "P2": {"respond": "1h", "resolve": "8h"},
            "P3": {"respond": "4h", "resolve": "3d"},
            "P4": {"respond": "1d", "resolve": "10d"},
            "default": "P3",
            "warn_at": ["75%", "90%"],
        },
        areas=[
            {
                "key": key,
                "name": area_name,
                "responsible": side,
                "accountable": INTERNAL_ADMIN,
                "escalation": [PROVIDER_ADMIN if side == "provider" else INTERNAL_ADMIN],
            }
            for key, (area_name, side) in AREAS.items()
        ],
        reviews=load_library(),
    )
    buffer = StringIO()
    YAML().dump(doc, buffer)
    header = (
        "# Starter responsibility matrix: replace U0CHANGEME1/2 with real Slack member ids, add\n"
        "# channel: (the shared channel's id), your people, aliases and after-hours cover, then:\n"
        "# tandem matrix import FILE (it warns, and tandem matrix audit lists, what is still missing)\n"
    )
    return header + export_text(load_text(buffer.getvalue(), source="starter"))
