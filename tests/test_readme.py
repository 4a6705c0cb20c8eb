"""Every `$ llmcost ...` example in the README runs, and its documented outcome holds."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from llmcost.cli import main

README = Path(__file__).parent.parent / "README.md"


def examples() -> list[tuple[str, str]]:
    """(command, the next line of the block) for each console example."""
    lines = README.read_text().replace("\\\n", " ").splitlines()
    return [
        (line[2:], lines[i + 1] if i + 1 < len(lines) else "")
        for i, line in enumerate(lines)
        if line.startswith("$ llmcost ")
    ]


@pytest.mark.parametrize(("command", "next_line"), examples(), ids=lambda x: x[:60])
def test_readme_example_runs(capsys, tmp_path, command, next_line):
    args = shlex.split(command, comments=True)[1:]
    if "--out" in args:  # charts go to a temporary file, not over the README's image
        i = args.index("--out") + 1
        args[i] = str(tmp_path / Path(args[i]).name)
    code = main(args)
    out, err = capsys.readouterr()
    if next_line.startswith("llmcost: error:"):
        assert code == 2 and err.strip() == next_line.strip()
    else:
        assert code == 0 and (err == "" or err.startswith("wrote "))
        # every figure in the example's first output line must be in the real output, as rounded
        printed = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*\.?\d*", out)]
        for figure in re.findall(r"\d[\d,]*\.\d+|\$[\d,]+", next_line):
            value = float(figure.strip("$").replace(",", ""))
            half_unit = 0.5 * 10 ** -len(figure.partition(".")[2]) if "." in figure else 0.5
            assert any(abs(p - value) <= half_unit + 1e-9 for p in printed), f"README shows {figure}"


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
