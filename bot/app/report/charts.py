"""Charts as inline SVG, drawn by matplotlib with no network and no script.

Each chart has a title, labelled axes and its numbers written on the bars, and every bar
carries an SVG <title>, so a browser shows the value on hover. Two series differ in shade
and hatching as well as colour, so a grey-scale print still tells them apart. Text is drawn
as paths, so the page needs no font from anywhere.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib

matplotlib.use("svg")

from matplotlib import rcParams
from matplotlib.figure import Figure

DARK, LIGHT, MID = "#1f3b57", "#9fb8cf", "#5b7f9f"
HATCHES = ("", "///", "..")
COLOURS = (DARK, LIGHT, MID)
_WIDTH, _HEIGHT = 7.0, 2.4  # inches: a chart across an A4 page, three to a page
_GROUP = re.compile(r'<g id="(bar-\d+-\d+)">')
_LOCK = threading.Lock()  # matplotlib's settings are process-wide, and it is not thread-safe
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)  # an RDF block naming matplotlib


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: nothing to show for that category
    labels: Sequence[str]  # the number written on each bar
    hover: Sequence[str] = ()  # the bar's hover title, when it says more than its label


@dataclass(frozen=True)
class Chart:
    key: str  # the element id in the page
    title: str
    svg: str
    empty: bool  # drawn with a note that there is nothing to show


def bars(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    horizontal: bool = False,
    stacked: bool = False,
    limit: float | None = None,
    empty_note: str = "nothing to show for this period",
) -> Chart:
    """Grouped (or stacked) bars, one group per category."""
    with _LOCK:
        return _bars(key, title, categories, series, x_label, y_label, horizontal, stacked, limit, empty_note)


def _bars(
    key: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    horizontal: bool,
    stacked: bool,
    limit: float | None,
    empty_note: str,
) -> Chart:
    rcParams["svg.hashsalt"] = key  # ids unique to this chart within the page
    rcParams["svg.fonttype"] = "path"
    height = max(_HEIGHT, 0.22 * len(categories) + 1.3) if horizontal else _HEIGHT
    figure = Figure(figsize=(_WIDTH, height), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=11, fontweight="bold")
    titles: dict[str, str] = {}
    empty = not categories or all(v is None or v == 0 for s in series for v in s.values)
    positions = list(range(len(categories)))
    width = 0.8 if stacked or len(series) == 1 else 0.8 / len(series)
    base = [0.0] * len(categories)
    narrow = not horizontal and not stacked and len(series) > 1  # side-by-side bars: no room for "76% (93/123)"
    for index, one in enumerate(series):
        values = [v or 0.0 for v in one.values]
        offsets = [p if stacked else p - 0.4 + width * (index + 0.5) for p in positions]
        style: dict[str, Any] = {
            "color": COLOURS[index % 3],
            "hatch": HATCHES[index % 3],
            "edgecolor": "#222222",
            "linewidth": 0.6,
        }
        if horizontal:
            drawn = axes.barh(offsets, values, height=width, left=base if stacked else None, label=one.name, **style)
        else:
            drawn = axes.bar(offsets, values, width=width, bottom=base if stacked else None, label=one.name, **style)
        for position, (patch, text) in enumerate(zip(drawn.patches, one.hover or one.labels, strict=True)):
            gid = f"bar-{index}-{position}"
            patch.set_gid(gid)
            titles[gid] = f"{categories[position]} — {one.name}: {text}"
        shown = [_fitted(text, narrow) if value else "" for value, text in zip(one.values, one.labels, strict=True)]
        axes.bar_label(drawn, labels=shown, label_type="center" if stacked else "edge", fontsize=7, padding=2)
        if stacked:
            base = [b + v for b, v in zip(base, values, strict=True)]
    if horizontal:
        axes.set_yticks(positions, labels=list(categories), fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel(y_label, fontsize=9)
        axes.set_ylabel(x_label, fontsize=9)
        axes.set_xlim(0, limit if limit is not None else max(1.0, _top(series, stacked) * 1.18))
    else:
        axes.set_xticks(positions, labels=list(categories), fontsize=8)
        axes.set_xlabel(x_label, fontsize=9)
        axes.set_ylabel(y_label, fontsize=9)
        top = limit if limit is not None else max(1.0, _top(series, stacked) * 1.18)
        axes.set_ylim(0, top * 1.1 if narrow else top)  # a two-line label needs a line more above the bar
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        figure.legend(fontsize=8, frameon=False, loc="outside lower center", ncol=len(series))
    if empty:
        axes.text(0.5, 0.5, empty_note, transform=axes.transAxes, ha="center", va="center", fontsize=9, color="#444444")
    return Chart(key, title, _with_titles(figure, titles), empty)


def _fitted(label: str, narrow: bool) -> str:
    """A bar's number over its count ("76%" above "(93/123)") where bars stand side by side, so
    neighbouring labels never run into each other."""
    return label.replace(" (", "\n(", 1) if narrow else label


def _top(series: Sequence[Series], stacked: bool) -> float:
    """The longest bar (or stack), so the axis leaves room for the number beside it."""
    if stacked:
        return max(
            (sum(v or 0.0 for v in values) for values in zip(*(s.values for s in series), strict=True)), default=0.0
        )
    return max((v or 0.0 for s in series for v in s.values), default=0.0)


def _with_titles(figure: Figure, titles: dict[str, str]) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = _METADATA.sub("", svg[svg.index("<svg") :])  # inline: no XML declaration, doctype or metadata
    return _GROUP.sub(lambda m: f"{m.group(0)}<title>{escape(titles.get(m.group(1), ''))}</title>", svg)
