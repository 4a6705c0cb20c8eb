"""Render a report in a real headless browser and check the page is not blank.

    python benchmarks/report_screenshot.py [SCENARIO]   # needs Debian's chromium: apt-get install chromium

Writes report.html and its screenshot report.png to a temporary directory, prints their sizes and
the share of the screenshot's pixels that are not white (a blank or broken page is ~0%). Not part
of the test suite: installing a browser takes longer than the tests.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import llmcost

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main() -> int:
    scenario = (
        sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent.parent / "examples/compare-support-bot.yaml")
    )
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("no chromium on PATH: apt-get install chromium")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        page = llmcost.report(scenario, Path(tmp) / "report.html")
        shot = Path(tmp) / "report.png"
        subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={tmp}/profile", "--window-size=1280,1600", f"--screenshot={shot}",
             page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        from matplotlib.image import imread

        pixels = imread(shot)
        inked = float((pixels[..., :3].min(axis=2) < 0.95).mean())
        print(f"report.html {page.stat().st_size:,} bytes; screenshot {shot.stat().st_size:,} bytes, {inked:.1%} inked")
        return 0 if inked > 0.02 else 1


if __name__ == "__main__":
    sys.exit(main())
