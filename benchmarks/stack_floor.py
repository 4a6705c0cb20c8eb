"""The floor under `llmcost compare --qpd 50000`: what Typer and rich cost for it, with no model or data code.

    python benchmarks/stack_floor.py RESULT.pickle

Typer builds the real command-line app and parses `compare --qpd 50000`; rich draws the real compare
table from a saved result (RESULT.pickle, the typed Comparison that benchmarks/speed.py computed and
pickled; a file this benchmark writes itself, so unpickling it is safe). benchmarks/speed.py times
this against `python -c "import typer, rich"` beside the real cold start.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

from typer.main import get_command

from llmcost.cli import app
from llmcost.render import compare_table

ARGS = ["compare", "--qpd", "50000"]

group = get_command(app)
parent = group.make_context("llmcost", list(ARGS))
command = group.get_command(parent, ARGS[0])  # type: ignore[attr-defined]  # a group: typer's vendored click
command.make_context(ARGS[0], ARGS[1:], parent=parent)
sys.stdout.write(compare_table(pickle.loads(Path(sys.argv[1]).read_bytes())))
