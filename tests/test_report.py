"""Reports: a self-contained HTML page and a workbook, read back; written atomically."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import llmcost
from llmcost.cli import main

SCENARIO = Path(__file__).parent.parent / "examples" / "compare-support-bot.yaml"


def test_html_report_is_self_contained(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "report.html"
    assert main(["report", "--scenario", str(SCENARIO), "--out", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "is cheapest at $" in page  # the verdict
    assert re.search(r'<img alt="[^"]+" src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}">', page)  # chart inside
    assert "<h2>Assumptions</h2>" in page and "<h2>Sources</h2>" in page and "genai-prices" in page
    assert not re.search(r"\d[eE][+-]\d", re.sub(r"base64,[^\"]+", "", page))  # money for people
    assert "http://" not in page and "https://" not in page.split("<h2>Sources</h2>")[0]  # nothing fetched


def test_xlsx_report_reads_back(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    out = llmcost.report(SCENARIO, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Results", "Assumptions", "Sources"]
    results = list(book["Results"].values)
    header, rows = results[0], results[1:]
    ids = [r[header.index("id")] for r in rows]
    expected = llmcost.compare(scenario=llmcost.inputs.read_scenario_file(SCENARIO)).to_dict()["options"]
    assert ids == [o["id"] for o in expected]
    costs = [r[header.index("monthly_cost_usd")] for r in rows]
    assert costs == pytest.approx([o["monthly_cost_usd"] for o in expected])  # numbers, not text
    sources = list(book["Sources"].values)
    assert sources[0] == ("for", "what", "source", "as_of") and len(sources) > 1


def test_a_failed_report_write_keeps_the_old_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "report.html"
    out.write_text("old report")
    import llmcost.io

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(llmcost.io.os, "fsync", full)
    assert main(["report", "--scenario", str(SCENARIO), "--out", str(out)]) == 1
    assert out.read_text() == "old report" and list(tmp_path.iterdir()) == [out]
    assert main(["report", "--scenario", str(SCENARIO), "--out", str(out), "--format", "pdf"]) == 2
