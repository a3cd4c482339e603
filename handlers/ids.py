"""Every identifier Slack sees, in one place: commands, action ids, callback ids.

`manifest.yml` declares the same commands and shortcut callback ids; a test keeps the two
in step.
"""

# Slash commands (manifest.yml: features.slash_commands)
CMD_OWNER = "/owner"
CMD_HANDOFF = "/handoff"
CMD_OVERFLOW = "/overflow"
CMD_TANDEM = "/tandem"
COMMANDS = (CMD_OWNER, CMD_HANDOFF, CMD_OVERFLOW, CMD_TANDEM)

# Shortcuts (manifest.yml: features.shortcuts)
SHORTCUT_NEW_HANDOFF = "tandem_new_handoff"  # global shortcut: open the handoff modal
SHORTCUT_HANDOFF_FROM_MESSAGE = "tandem_handoff_message"  # message shortcut: hand this message off

# Block actions
ACTION_START_HANDOFF = "start_handoff"  # button on /owner answers
ACTION_ACKNOWLEDGE = "handoff_acknowledge"
ACTION_TAKE = "handoff_take"
ACTION_WAIT = "handoff_wait"
ACTION_RESUME = "handoff_resume"
ACTION_HAND_BACK = "handoff_hand_back"
ACTION_RESOLVE = "handoff_resolve"
ACTION_REVIEW_DONE = "review_mark_done"
ACTION_OVERFLOW_APPROVE = "overflow_approve"  # on a held overflow request
ACTION_OVERFLOW_DECLINE = "overflow_decline"
ACTION_CONFIRM_MATRIX = "matrix_confirm"  # on a change to who owns what
OVERFLOW_BUTTONS = {"approve": ACTION_OVERFLOW_APPROVE, "decline": ACTION_OVERFLOW_DECLINE}
# Domain action (bot.handoffs.model.ACTIONS) -> button action_id
HANDOFF_BUTTONS = {
    "acknowledge": ACTION_ACKNOWLEDGE,
    "take": ACTION_TAKE,
    "wait": ACTION_WAIT,
    "resume": ACTION_RESUME,
    "hand_back": ACTION_HAND_BACK,
    "resolve": ACTION_RESOLVE,
}

# Modals (view callback ids)
VIEW_NEW_HANDOFF = "handoff_new"
VIEW_RESOLVE_HANDOFF = "handoff_resolve_note"
VIEW_REVIEW_DONE = "review_done_evidence"
VIEW_OVERFLOW_DECLINE = "overflow_decline_reason"
