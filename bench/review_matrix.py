"""The example matrix with thousands of generated reviews, for the scheduler benchmark.

Reviews are what the scheduler keeps timers for, so their number and the variety of their
schedules decide what a tick and `sync_timers` cost. The schedules are of every kind the
loader takes (RRULE and 5-field cron: weekly, fortnightly, monthly by weekday or day,
quarterly, half-yearly, yearly, daily) at varied hours on :00 or :30, with varied
`remind_before`/`grace`, owners and areas from the example.
"""

from __future__ import annotations

import json
import random
from collections import Counter

from bench.common import EXAMPLE

DAYS = ("MO", "TU", "WE", "TH", "FR")
REVIEW_NAMES = (
    "restore test",
    "patch verification",
    "access review",
    "firewall rule review",
    "licence true-up",
    "certificate expiry check",
    "backup job audit",
    "admin account review",
    "offboarding check",
    "asset register check",
    "DR runbook walk-through",
    "MFA coverage check",
    "log retention check",
    "vendor contract review",
    "UPS battery test",
    "printer fleet check",
    "phishing drill review",
)
PARTIES = (
    "provider",
    "internal",
    "provider.soc",
    "provider.helpdesk",
    "U0PRIYA01",
    "U0ALICE01",
    "U0SAM0001",
    "U0BEN0001",
)


def schedule(rng: random.Random) -> tuple[str, str]:
    """(schedule text, its kind): one review schedule, the kinds weighted as a team would use them."""
    h = rng.randint(7, 17)
    minute = 30 if rng.random() < 0.15 else 0
    by_minute = ";BYMINUTE=30" if minute else ""
    day, dom, month = rng.choice(DAYS), rng.randint(1, 28), rng.randint(1, 12)
    kind = rng.choices(
        (
            "weekly",
            "fortnightly",
            "monthly_nth",
            "quarterly_dom",
            "half_yearly",
            "yearly",
            "daily",
            "cron_weekly",
            "cron_monthly",
            "cron_quarterly",
            "cron_weekdays",
        ),
        (12, 8, 20, 12, 5, 8, 2, 12, 12, 7, 2),
    )[0]
    return {
        "weekly": f"FREQ=WEEKLY;BYDAY={day};BYHOUR={h}{by_minute}",
        "fortnightly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day};BYHOUR={h}{by_minute}",
        "monthly_nth": f"FREQ=MONTHLY;BYDAY={rng.choice(('1', '2', '3', '4', '-1'))}{day};BYHOUR={h}{by_minute}",
        "quarterly_dom": f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={dom};BYHOUR={h}{by_minute}",
        "half_yearly": f"FREQ=MONTHLY;INTERVAL=6;BYDAY=1{day};BYHOUR={h}{by_minute}",
        "yearly": f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={dom};BYHOUR={h}{by_minute}",
        "daily": f"FREQ=DAILY;BYHOUR={h}{by_minute}",
        "cron_weekly": f"{minute} {h} * * {rng.randint(1, 5)}",
        "cron_monthly": f"{minute} {h} {dom} * *",
        "cron_quarterly": f"{minute} {h} {dom} */3 *",
        "cron_weekdays": f"{minute} {h} * * 1-5",
    }[kind], kind


def reviews_yaml(count: int, areas: list[str], rng: random.Random, distinct: int = 0) -> tuple[str, Counter]:
    """The YAML items of `count` reviews (keys rv-00000…), and how many of each schedule kind.

    With `distinct` the schedules are drawn from a pool of that many, to see what the number
    of distinct schedules (rather than of reviews) costs.
    """
    kinds: Counter = Counter()
    lines = []
    pool = [schedule(rng) for _ in range(distinct)]
    for i in range(count):
        text, kind = rng.choice(pool) if pool else schedule(rng)
        kinds[kind] += 1
        name = rng.choice(REVIEW_NAMES)
        daily = kind in ("daily", "cron_weekdays")
        remind = None if daily else rng.choices((None, "4h", "1d", "2d", "3d"), (30, 15, 25, 20, 10))[0]
        grace = "1d" if daily else rng.choice((None, "1d", "2d", "3d", "5d", "7d"))
        item = [
            f"  - key: rv-{i:05d}",
            f"    name: {json.dumps(f'{name.capitalize()} #{i}')}",
            f"    schedule: {json.dumps(text)}",
            f"    owner: {rng.choice(PARTIES)}",
        ]
        if remind:
            item.append(f"    remind_before: {remind}")
        if rng.random() < 0.8:
            item.append(f"    area: {rng.choice(areas)}")
        if grace:
            item.append(f"    grace: {grace}")
        if rng.random() < 0.3:
            item.append("    reference: CIS Controls v8")
        lines.append("\n".join(item))
    return "\n".join(lines) + "\n", kinds


def matrix_text(count: int, rng: random.Random, distinct: int = 0) -> tuple[str, Counter]:
    """`examples/matrix.yml` with its reviews replaced by `count` generated ones (areas from the example)."""
    from bot.matrix.loader import load_file

    example = load_file(EXAMPLE)
    head = EXAMPLE.read_text(encoding="utf-8").split("\nreviews:\n", 1)[0]
    body, kinds = reviews_yaml(count, [a.key for a in example.areas], rng, distinct)
    return f"{head}\nreviews:\n{body}", kinds
