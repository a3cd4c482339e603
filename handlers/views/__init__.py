"""Block Kit, built by small pure functions so Slack, the console and tests show the same content."""
