"""The mrkdwn helpers: times as Slack date tokens, and cutting text without breaking markup."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.views.markup import local_date, local_time, truncate


def test_an_instant_is_a_date_token_with_the_organisations_zone_as_fallback():
    at = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert local_time(at, "Europe/London") == (
        f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|Wed 01 Jul 11:00 BST>"
    )
    assert local_time(at, "America/New_York").endswith("|Wed 01 Jul 06:00 EDT>")
    assert local_date(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), "Asia/Tokyo") == "Wed 02 Dec"


def test_truncating_never_splits_a_token_or_an_entity():
    token = local_time(datetime(2026, 12, 1, 10, 0, tzinfo=UTC), "Europe/London")
    text = "due " + token + " and more"
    for limit in range(5, len(text)):
        cut = truncate(text, limit)
        assert len(cut) <= limit and cut.endswith("…")
        assert cut.count("<") == cut.count(">")
    assert truncate("fish &amp; chips", 9) == "fish …"


def test_user_text_keeps_the_mentions_slack_wrote_and_escapes_everything_else():
    from handlers.views.markup import user_text

    assert user_text("ask <@U0BEN0001|ben> in <#C0SHARED01|it-shared>") == "ask <@U0BEN0001> in <#C0SHARED01>"
    assert user_text("<!channel> <https://evil.example|bank> @here") == (
        "&lt;!channel&gt; &lt;https://evil.example|bank&gt; @\u200bhere"
    )
    assert user_text("fish & chips, 2 &lt; 3") == "fish &amp; chips, 2 &lt; 3"
    assert user_text("<@U0BEN0001 no closing") == "&lt;@U0BEN0001 no closing"
