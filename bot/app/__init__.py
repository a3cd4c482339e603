"""The composition root: the one package that wires the core to its adapters.

It holds the command line (`cli`), settings, the container (`container.build`), the Slack
client and Bolt app factory (`slack`), the HTTP and Socket Mode servers, the heartbeat and
the console. It is the only package that imports both `handlers` and `storage`; nothing
imports it except the two entry points, `bot/cli.py` (the `tandem` script) and
`bot/__main__.py` (`python -m bot`).
"""
