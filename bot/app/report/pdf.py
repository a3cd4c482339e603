"""The PDF: the same HTML page printed by headless Chromium (Debian's `chromium` package).

Chromium lays out the page exactly as a browser prints it, A4 and page breaks included, so
the PDF and the HTML never disagree; a pure-Python renderer would lay out its own way. The
flags keep it off the network and out of any profile: a fresh one is made for each print.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.errors import TandemError

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT = 120  # seconds


def chromium() -> str | None:
    """The browser to print with: $TANDEM_CHROMIUM, else chromium on the PATH."""
    named = os.environ.get("TANDEM_CHROMIUM")
    if named:
        return shutil.which(named)
    return next((found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None)


def print_pdf(page: Path, pdf: Path) -> None:
    """Print the HTML file `page` to `pdf`."""
    browser = chromium()
    if browser is None:
        raise TandemError(
            "No Chromium to print the PDF with: install Debian's chromium package (apt-get install chromium) "
            "or set TANDEM_CHROMIUM to the browser's path. The HTML page was written."
        )
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="tandem-chromium-") as profile:
        command = [
            browser,
            *FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise TandemError(f"Chromium took over {TIMEOUT}s to print the PDF and was stopped.") from exc
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise TandemError(f"Chromium could not print the PDF (exit {done.returncode}): {last}")
