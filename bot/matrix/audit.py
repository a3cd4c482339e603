"""Gaps in the matrix: the places where work falls between the two sides.

`tandem matrix audit` prints them (exit 1 when any exist), `/tandem audit` shows them in
Slack, App Home lists them and the daily digest counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.matrix.model import CLOCK_24X7, PARTY_FIELDS, Matrix, is_placeholder


@dataclass(frozen=True)
class Gap:
    subject: str  # "area backups", "review restore-test", "person U0X"
    problem: str
    fix: str


def find_gaps(matrix: Matrix) -> list[Gap]:
    gaps: list[Gap] = []
    if not matrix.channel:
        gaps.append(
            Gap(
                f"organisation {matrix.organisation}",
                "names no shared channel, so handoffs, reminders and digests have nowhere to go",
                "set 'channel' to the shared channel's id (channel details → bottom of the About tab)",
            )
        )
    for person in matrix.people.values():
        if is_placeholder(person.slack):
            gaps.append(
                Gap(
                    f"person {person.name} ({person.slack})",
                    "is a placeholder from tandem matrix init, not a real Slack member",
                    "put the person's Slack member id (profile → ⋮ → Copy member ID)",
                )
            )
    for area in matrix.areas:
        subject = f"area {area.key}"
        if not area.responsible:
            gaps.append(Gap(subject, "nobody is responsible", "set 'responsible' to a side, a group or a person"))
        if not area.accountable:
            gaps.append(Gap(subject, "nobody is accountable", "set 'accountable' to the one person who answers for it"))
        elif len(matrix.expand_all(area.accountable)) > 1:
            gaps.append(Gap(subject, "more than one person is accountable", "name exactly one accountable person"))
        if area.is_shared and not area.lead:
            gaps.append(
                Gap(
                    subject,
                    "responsibility is shared but nobody leads",
                    "set 'lead' to the side or person who coordinates",
                )
            )
        if area.coverage == CLOCK_24X7 and not area.after_hours:
            gaps.append(Gap(subject, "needs 24x7 cover but nobody is on duty after hours", "set 'after_hours'"))
    named: set[str] = set()
    for area in matrix.areas:
        for field in PARTY_FIELDS:
            named.update(matrix.expand_all(getattr(area, field)))
        if area.lead:
            named.update(matrix.expand(area.lead))
    for review in matrix.reviews:
        if review.owner:
            named.update(matrix.expand(review.owner))
        else:
            gaps.append(Gap(f"review {review.key}", "has no owner", "set 'owner' to a side or a person"))
    for rota in matrix.rotas:
        named_anywhere = any(rota.ref in getattr(a, f) for a in matrix.areas for f in PARTY_FIELDS) or any(
            r.owner == rota.ref for r in matrix.reviews
        )
        if not named_anywhere:
            gaps.append(
                Gap(
                    f"rota {rota.key}",
                    "is named by no area or review, so nobody is ever on duty through it",
                    f"name it as rota:{rota.key} (after_hours, responsible, escalation or a review owner), or remove it",
                )
            )
    for person in matrix.people.values():
        if person.slack not in named:
            gaps.append(
                Gap(
                    f"person {person.name} ({person.slack})",
                    "is listed but holds no role in any area",
                    "give them a role or remove them from the side",
                )
            )
    return gaps
