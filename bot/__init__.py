"""Tandem: the shared responsibility matrix of a co-managed IT contract, live in Slack.

`bot` holds the domain (pure Python, no Slack, no database) and the wiring around it:
settings, the app factory, the command line, the console and the scheduler.
"""
