"""Use cases: what a command does, between the domain and the store.

Each function takes the store and the time explicitly and returns domain values; the
surfaces (Slack handlers, the console, the command line) render them.
"""
