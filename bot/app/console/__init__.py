"""The whole bot in a terminal: the console backend."""
