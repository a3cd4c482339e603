"""The service review end to end: a seeded quarter in SQLite, `tandem report` as a subprocess,
the page opened in headless Chromium (Debian's package, driven by Playwright), and the PDF
read back with pypdf.

The browser must find no console error, no request leaving the file, and every chart drawn;
a screenshot of the first page is kept under tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

from bot.app.report.pdf import FLAGS, chromium
from bot.matrix.loader import load_file
from bot.services.matrices import import_matrix
from storage.db import Database
from storage.store import Units
from tests.conftest import EXAMPLE, ROOT
from tests.integration.test_cli import tandem
from tests.support.review_history import QUARTER_NOW, SEEDED, seed_store

ARTIFACTS = ROOT / "tests" / "artifacts"
AT = QUARTER_NOW.isoformat()
CHARTS = (
    "chart-sla-month",
    "chart-sla-side",
    "chart-sla-priority",
    "chart-respond-times",
    "chart-resolve-times",
    "chart-areas",
    "chart-waiting",
    "chart-reviews",
    "chart-hours",
)
SECTIONS = 8  # summary, SLA, times, waiting, breaches, reviews, hours and changes, outlook: a page each


def _browser() -> str:
    found = chromium()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI: Chromium is not installed; .ci/run installs Debian's chromium package.")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> Path:
    """A database holding two seeded quarters (Q3 and Q4 2026) of the example organisation."""
    folder = tmp_path_factory.mktemp("review")
    db = Database(f"sqlite:///{folder / 'cli.db'}")
    db.upgrade()
    matrix = load_file(EXAMPLE)
    units = Units(db)
    with units() as store:
        import_matrix(store, matrix, "cli", SEEDED[0])
    seed_store(units, matrix, *SEEDED, QUARTER_NOW, count=800)
    db.dispose()
    return folder


@pytest.fixture(scope="module")
def made(quarter) -> tuple[Path, Path, str]:
    _browser()
    run = tandem(
        quarter, "report", "--org", "harbour-finch", "--period", "2026-Q4", "--out", "review.html",
        "--pdf", "review.pdf", "--at", AT,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[:2] == [
        "Wrote review.html: the service review of Harbour & Finch Architects for Q4 2026.",
        "Wrote review.pdf.",
    ]
    return quarter / "review.html", quarter / "review.pdf", lines[2]


def test_the_page_opens_offline_with_every_chart_drawn(made):
    page_file, _, summary = made
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=_browser(), args=list(FLAGS[1:]))
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1270})
            page.on("console", lambda message: message.type == "error" and errors.append(message.text))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.as_uri(), wait_until="load")
            assert page.title() == "Service review: Harbour & Finch Architects, Q4 2026"
            assert _words(page.inner_text("#summary-text")) == _words(summary)
            for key in CHARTS:
                chart = page.locator(f"#{key} svg")
                box = chart.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100, key
                assert chart.locator("path").count() > 20, key  # bars, axes and text (drawn as paths)
                titles = chart.locator("title").evaluate_all("found => found.map(t => t.textContent)")
                assert titles and all(re.search(r"\d", t) for t in titles), key  # the numbers on hover
            page.screenshot(path=str(ARTIFACTS / "review-q4-2026.png"))
        finally:
            browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("file:", "data:", "about:"))] == []
    assert requests == [page_file.as_uri()]  # the file itself, and nothing else


def test_the_pdf_has_a_page_per_section_and_says_the_summary(made):
    from pypdf import PdfReader

    _, pdf, summary = made
    reader = PdfReader(pdf)
    assert len(reader.pages) == SECTIONS
    first = _words(reader.pages[0].extract_text())
    assert _words(summary) in first
    assert "Service review: Harbour & Finch Architects" in first
    assert "Breaches (" in reader.pages[4].extract_text()


def test_the_page_escapes_what_people_typed_and_links_the_breaches(made):
    text = made[0].read_text(encoding="utf-8")
    assert "Harbour &amp; Finch Architects" in text and "Harbour & Finch" not in text
    assert re.search(r'<a href="https://slack\.com/archives/C0SHARED01/p\d+">#\d+</a>', text)
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org/", "")
    assert "@import" not in text and not re.search(r"url\((?!#)", text)  # only references within the page


def test_a_bad_period_or_organisation_is_a_sentence(quarter):
    bad = tandem(quarter, "report", "--org", "harbour-finch", "--period", "2026-13", "--out", "x.html", "--at", AT)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "'2026-13' has no month 13: write a month as 2026-11, a quarter as 2026-Q4" in bad.stderr
    backwards = tandem(
        quarter, "report", "--org", "harbour-finch", "--period", "2026-12-01..2026-11-01", "--out", "x.html"
    )
    assert backwards.returncode == 1 and "ends before it starts" in backwards.stderr
    nobody = tandem(quarter, "report", "--org", "nope", "--out", "x.html")
    assert nobody.returncode == 1 and "No organisation 'nope'. Loaded: harbour-finch." in nobody.stderr
    assert not (quarter / "x.html").exists()


def test_without_chromium_the_page_is_written_and_the_pdf_refused_in_a_sentence(quarter):
    env = {"TANDEM_CHROMIUM": "/nonexistent/chromium"}
    run = tandem(
        quarter, "report", "--org", "harbour-finch", "--period", "2026-11", "--out", "nov.html", "--pdf", "nov.pdf",
        "--at", AT, env=env,
    )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "No Chromium to print the PDF with: install Debian's chromium package" in run.stderr
    assert (quarter / "nov.html").stat().st_size > 10_000 and not (quarter / "nov.pdf").exists()


def _words(text: str) -> str:
    """Spacing made even and ligatures (the PDF's "ﬁ") spelt out."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
