"""Tandem: the shared responsibility matrix of a co-managed IT contract, live in Slack.

`bot` is the core: the domain packages (matrix, ownership, handoffs, sla, alerts, reviews,
digests) and the use cases in `bot/services/`, pure Python typed against the protocols in
`bot/ports.py`. It imports no adapter: Slack lives in `handlers/`, the database in
`storage/`, and `bot/app/` (the composition root) wires them together.
"""
