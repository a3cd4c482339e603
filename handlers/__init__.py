"""Slack listeners (thin: parse, call the domain, render) and the Block Kit views.

`register(app, runtime)` wires everything; a reader finds where each command, event and
action goes in `handlers/<kind>/__init__.py`.
"""
