"""The contract inside the bot: the scope of overflow, a bank of block hours, who approves
what falls outside them, and how often both sides re-confirm the matrix."""
