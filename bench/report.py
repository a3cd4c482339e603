"""The service review over a year of 50,000 handoffs: figures and the HTML page, in seconds.

Target: under 10 s for the figures and the page together (the PDF is Chromium's printing
and is not counted). The handoffs are plain values from `tests.support.review_history`,
the same generator the browser test stores, so no database time is in the number.

    .venv/bin/python -m bench.report [--handoffs 50000]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, date, datetime

from bot.app.report.page import render
from bot.matrix.loader import load_file
from bot.report.figures import service_review
from bot.report.history import History
from bot.report.period import ReviewPeriod
from tests.conftest import EXAMPLE
from tests.support.review_history import handoffs

TARGET = 10.0  # seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handoffs", type=int, default=50_000)
    args = parser.parse_args()
    matrix = load_file(EXAMPLE)
    year = ReviewPeriod(date(2026, 1, 1), date(2027, 1, 1), "range")
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    history = History(
        matrix, year, datetime(2027, 1, 5, 9, tzinfo=UTC), tuple(handoffs(matrix, start, end, 2 * args.handoffs))
    )  # the year and the year before it, for the comparison
    cpu, began = time.process_time(), time.perf_counter()
    figures = service_review(history)
    computed = time.perf_counter()
    page = render(figures)
    done = time.perf_counter()
    total, cpu = done - began, time.process_time() - cpu
    print(
        f"handoffs in the year: {figures.handoffs.opened:,} (and {figures.handoffs.previous_opened:,} the year before)"
    )
    print(f"figures {computed - began:.2f} s, page {done - computed:.2f} s ({len(page) / 1e6:.1f} MB)")
    print(f"CPU time {cpu:.2f} s (what an idle core takes; wall time above grows with the machine's load)")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"| a year of {figures.handoffs.opened:,} handoffs, figures and page | {total:.2f} s | < {TARGET:.0f} s: {'MET' if total < TARGET else 'MISSED'} |"
    )


if __name__ == "__main__":
    main()
