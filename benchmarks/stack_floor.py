"""The floor under `llmcost compare --qpd 50000`: what Typer and rich cost for it, with no model or data code.

    python benchmarks/stack_floor.py RESULT.json

Typer builds the real command-line app and parses `compare --qpd 50000`; rich draws the real compare
table from a saved result (RESULT.json, `llmcost compare --qpd 50000 --format json`). benchmarks/speed.py
times this against `python -c "import typer, rich"` beside the real cold start.
"""

from __future__ import annotations

import json
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
sys.stdout.write(compare_table(json.loads(Path(sys.argv[1]).read_text())))
