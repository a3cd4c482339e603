"""Buttons, shortcuts and modal submissions."""

from slack_bolt import App

from handlers import ids
from handlers.acks import acknowledge
from handlers.actions.handoff import (
    check_resolution,
    handoff_button,
    new_handoff_from_message,
    new_handoff_shortcut,
    new_handoff_submitted,
    resolve_button,
    resolve_submitted,
    start_handoff_button,
)
from handlers.actions.overflow import approve_button, decline_button, decline_submitted
from handlers.actions.review import review_done_button, review_done_submitted
from handlers.actions.signoff import confirm_button
from handlers.errors import guarded


def register(app: App) -> None:
    app.action(ids.ACTION_START_HANDOFF)(ack=acknowledge, lazy=[guarded(start_handoff_button)])
    for action, action_id in ids.HANDOFF_BUTTONS.items():
        app.action(action_id)(
            ack=acknowledge, lazy=[guarded(resolve_button if action == "resolve" else handoff_button)]
        )
    app.shortcut(ids.SHORTCUT_NEW_HANDOFF)(ack=acknowledge, lazy=[guarded(new_handoff_shortcut)])
    app.shortcut(ids.SHORTCUT_HANDOFF_FROM_MESSAGE)(ack=acknowledge, lazy=[guarded(new_handoff_from_message)])
    app.view(ids.VIEW_NEW_HANDOFF)(
        ack=acknowledge, lazy=[guarded(new_handoff_submitted, refused="Your handoff was not opened: ")]
    )
    app.view(ids.VIEW_RESOLVE_HANDOFF)(ack=check_resolution, lazy=[guarded(resolve_submitted)])
    app.action(ids.ACTION_REVIEW_DONE)(ack=acknowledge, lazy=[guarded(review_done_button)])
    app.action(ids.ACTION_CONFIRM_MATRIX)(ack=acknowledge, lazy=[guarded(confirm_button)])
    app.action(ids.ACTION_OVERFLOW_APPROVE)(ack=acknowledge, lazy=[guarded(approve_button)])
    app.action(ids.ACTION_OVERFLOW_DECLINE)(ack=acknowledge, lazy=[guarded(decline_button)])
    app.view(ids.VIEW_OVERFLOW_DECLINE)(
        ack=acknowledge, lazy=[guarded(decline_submitted, refused="The request was not declined: ")]
    )
    app.view(ids.VIEW_REVIEW_DONE)(ack=acknowledge, lazy=[guarded(review_done_submitted)])
