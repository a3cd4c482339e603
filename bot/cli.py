"""The `tandem` entry point: the command line lives in the composition root, `bot/app/cli.py`."""

from bot.app.cli import main

__all__ = ["main"]
