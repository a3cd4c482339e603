"""What every benchmark script needs: percentiles, a plain text table, the state of the machine,
a profile of a missed target, and a `main` that reports a failure instead of raising it.

The scripts print numbers for people to read and compare; they never gate, so nothing here
raises on a missed target or a crash.
"""

from __future__ import annotations

import math
import os
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "matrix.yml"


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted sequence (pct in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def verdict(ok: bool | None) -> str:
    """A target's result column: MET, MISSED, or "-" where nothing was measured."""
    return "-" if ok is None else ("MET" if ok else "MISSED")


def table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> str:
    """Rows as left-aligned text columns under a header, so the output reads in a terminal or a log."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def load_average() -> str:
    """The 1/5/15-minute load averages, printed next to numbers that other processes would skew."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle (all cores), from /proc/stat.

    Compared with a script's own CPU time, it shows how much other processes disturbed a run.
    """
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def print_profile(
    fn: Callable[[], object], repeat: int = 1, lines: int = 30, orders: Sequence[str] = ("cumulative",)
) -> None:
    """Run `fn` `repeat` times under cProfile and print its top `lines` functions for each sort order.

    Printed when a target is missed, so the output already says where the time went. With
    several orders each listing is headed `-- sorted by ORDER --`, and only the first keeps
    pstats' preamble (call count, "Ordered by").
    """
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        fn()
    profiler.disable()
    for i, order in enumerate(orders):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(lines)
        if len(orders) > 1:
            print(f"-- sorted by {order} --")
        print(out.getvalue() if i == 0 else out.getvalue().split("\n", 6)[-1])


def report_failure(run: Callable[[], object]) -> int:
    """Run a benchmark; print a crash instead of raising it. Always 0: a benchmark reports, it never gates."""
    try:
        run()
    except Exception:  # noqa: BLE001 - a benchmark reports, it does not fail the caller
        traceback.print_exc()
        print("benchmark did not complete")
    return 0


def silent_notifier():
    """A real notifier that renders every post and keeps none: for measuring commands, not Slack."""
    import io

    from bot.app.console.conversation import ConsoleConversation
    from handlers.notify import ChannelNotifier, one

    return ChannelNotifier(one(ConsoleConversation(io.StringIO(), {})))
