"""The channel digests: when the daily and weekly ones fall due, and what they say, as plain data.

Timing and content are pure so that the scheduler, `/tandem digest` and `tandem tick --at`
agree; turning the content into Slack blocks is the renderer's job, not this package's.
"""
