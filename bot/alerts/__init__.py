"""What the scheduler may post, as pure occurrences with a unique key each.

The scheduler keeps one `next_at` per scheduled thing, wakes when it passes, asks these
functions what is due and when to wake next, and claims each occurrence by its key before
posting. Keeping the decisions here, free of Slack, the database and the wall clock, is what
lets several replicas (or `tandem tick --at`) agree on what is due and post it exactly once.
"""
