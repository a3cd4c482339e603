"""The acknowledgement for listeners whose work all happens after it (Bolt lazy listeners)."""


def acknowledge(ack):
    ack()
