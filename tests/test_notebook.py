"""A notebook that uses every public function runs top to bottom in a real kernel; money in its
HTML views is formatted for people and its charts are image outputs."""

from __future__ import annotations

import re

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

CELLS = [
    "import llmcost\nkw = dict(models=['llama-3.1-70b'], apis=['openai/gpt-4o'])",
    "c = llmcost.compare(50_000, **kw)\nc",
    "c.plot()",
    "b = llmcost.breakeven(**kw)\nb.to_frame('crossings')",
    "b.plot()",
    "llmcost.hybrid(100_000, share=0.7, **kw).plot()",
    "t = llmcost.tco(20_000, months=6, **kw)\nt",
    "t.plot()",
    "llmcost.sensitivity(50_000, **kw).plot()",
    "llmcost.fit('llama-3.1-70b', 'int4', 'a100-80gb', context=4096).to_dict()['gpus_per_replica']",
    "llmcost.capacity('llama-3.1-8b', 'fp8', 'h100-sxm').to_frame()",
    "llmcost.workload('tests/fixtures/usage_openai.csv').to_dict()['queries_per_day']",
    "llmcost.buy_vs_rent(['h100-sxm']).to_frame()",
    "llmcost.validate().errors",
    "llmcost.list_catalog('gpus').to_frame().head()",
    "llmcost.check('examples/compare-support-bot.yaml', fail_above_usd=1e6).failures",
    "import tempfile, os\nd = tempfile.mkdtemp()\n"
    "llmcost.report('examples/compare-support-bot.yaml', os.path.join(d, 'r.html')).exists()",
    "llmcost.plot('compare', os.path.join(d, 'c.png'), qpd=1000, **kw).exists()",
]
CHART_CELLS = {2, 4, 5, 7, 8}


def test_the_notebook_runs_and_shows_what_people_read():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in CELLS])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    for i, cell in enumerate(nb.cells):
        assert not [o for o in cell.outputs if o.output_type == "error"], (CELLS[i], cell.outputs)
    for i in CHART_CELLS:  # a chart is drawn inline: an image output, not "<Figure size ...>"
        data = nb.cells[i].outputs[0]["data"]
        assert "image/png" in data, (CELLS[i], data.keys())
    for i in (1, 6):  # the HTML views: money with $ and separators, never scientific notation
        html = nb.cells[i].outputs[0]["data"]["text/html"]
        assert "$" in html and not re.search(r"\d[eE][+-]\d", html)
