"""The fleet's order: the client needing attention first."""

from bot.services.fleet import ClientLine


def line(name: str, **counts) -> ClientLine:
    values = {"open": 0, "at_risk": 0, "breached": 0, "overdue_reviews": 0, "gaps": 0, "hours_left": None}
    return ClientLine(name, name, None, **{**values, **counts})


def test_breaches_come_first_then_risk_reviews_spent_hours_gaps_and_load():
    lines = [
        line("quiet"),
        line("busy", open=9),
        line("gappy", gaps=2),
        line("spent", hours_left=0),
        line("banked", hours_left=600),
        line("late", overdue_reviews=1),
        line("risky", at_risk=1),
        line("breached", breached=1, open=1),
        line("worse", breached=3),
    ]
    order = [x.name for x in sorted(lines, key=lambda x: x.urgency)]
    assert order == ["worse", "breached", "risky", "late", "spent", "gappy", "busy", "banked", "quiet"]
