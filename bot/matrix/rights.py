"""Who may do what outside a handoff's own steps: the rest of the party rules table.

The handoff steps are checked by `bot.handoffs.transitions`; the other rules live here so
every surface (slash commands, buttons, modals, the console) asks the same functions.
Each check raises a `TandemError` whose words say who may do it instead, and changes nothing.
"""

from __future__ import annotations

from bot.errors import TandemError, Where, Who, Word, listing
from bot.matrix.model import Matrix, Person, Review


def member(matrix: Matrix, user: str, doing: str) -> Person:
    """The person behind `user`, who must be listed on one of the two sides."""
    person = matrix.people.get(user)
    if person is None:
        admins = listing((p.slack for p in matrix.admins()), empty="an admin", sep=" or ")
        raise TandemError(
            f"Only people of the two sides in the matrix of {matrix.name} can {doing}: ask ",
            *admins,
            " to add you.",
        )
    return person


def share_channel(matrix: Matrix, channel: str | None, what: str) -> str:
    """Where a file of the organisation's evidence may go: its shared channel, or a direct
    message with Tandem (only the admin asking sees it); anywhere else may hold strangers."""
    if channel is None or channel == matrix.channel:
        if matrix.channel is None:
            raise TandemError(f"The matrix of {matrix.name} names no shared channel to share the file in.")
        return matrix.channel
    if channel.startswith("D"):
        return channel
    if matrix.channel is None:
        raise TandemError(f"I only share {what} in a direct message with me: run it there.")
    raise TandemError(
        f"I only share {what} in ",
        Where(matrix.channel),
        f" or in a direct message with me, so it stays with the parties of {matrix.name}: run it there.",
    )


def require_admin(matrix: Matrix, user: str, doing: str) -> Person:
    """Digests and exports speak for the whole organisation, so only its admins run them."""
    person = member(matrix, user, doing)
    if not person.admin:
        admins = listing((p.slack for p in matrix.admins()), empty="an admin", sep=" or ")
        raise TandemError(f"Only a matrix admin can {doing}: ask ", *admins, ".")
    return person


def may_complete(matrix: Matrix, review: Review, user: str) -> bool:
    """A review is closed by its owner's side, its area's accountable person, or an admin."""
    person = matrix.people.get(user)
    if person is None:
        return False
    return person.admin or person.side in matrix.sides_of(review.owner) or user in _accountable(matrix, review)


def require_completer(matrix: Matrix, review: Review, user: str) -> Person:
    person = member(matrix, user, "complete reviews")
    if may_complete(matrix, review, user):
        return person
    named: list[Word] = []
    for side in sorted(matrix.sides_of(review.owner)):
        named += ["someone of ", matrix.describe_party(side), ", "]
    for slack in _accountable(matrix, review):
        named += ["the accountable person ", Who(slack), ", "]
    if named:
        named[-1] = " "
    raise TandemError(
        "Only ",
        *named,
        f"or an admin can mark '{review.name}' done: it is theirs to check. Ask them to, in the channel.",
    )


def require_leave_rights(matrix: Matrix, user: str, person: str, doing: str) -> Person:
    """Leave is recorded or ended by the person's own side, or by an admin."""
    asking = member(matrix, user, doing)
    if not (asking.admin or asking.side == matrix.people[person].side):
        raise TandemError("Only ", Who(person), "'s own side or a matrix admin can ", doing, ".")
    return asking


def _accountable(matrix: Matrix, review: Review) -> tuple[str, ...]:
    area = matrix.area(review.area) if review.area else None
    return matrix.expand_all(area.accountable) if area else ()
