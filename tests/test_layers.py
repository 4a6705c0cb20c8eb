"""Imports go one way: base -> files -> data -> inputs -> model -> analysis -> views -> results ->
commands -> render -> cli.

Views (DataFrames, charts) read a result through its JSON contract, so they sit below the typed
results, whose notebook methods (`to_frame`, `plot`) call them. Every `llmcost` import in the
package is read from the source (function-level ones included: a lazy import is still a
dependency), so a module that reaches into a later layer, or two modules that import each other,
fail here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "llmcost"

LAYERS = {
    "base": {"text", "errors", "defaults", "numeric", "notes", "plain", "uncertainty", "progress"},
    "files": {"io"},
    "data": {"records", "catalog", "datatools"},
    "inputs": {"demand", "quantization", "inputs", "usage", "reasoning", "hidden"},
    "model": {"billing", "memory", "throughput", "selfhost", "crossings", "routing", "timeline", "ownership",
              "aiconfigurator_backend",
              "pairing", "fleet", "platforms"},
    "analysis": {"montecarlo", "tornado"},
    "views": {"frames", "charts"},
    "results": {"results"},
    "commands": {"commands"},
    "render": {"render", "reports", "render_plan"},
    "cli": {"cli", "__main__", "__init__"},
}  # fmt: skip
ORDER = list(LAYERS)


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    return ".".join(rel.parts)


def layer(module: str) -> int:
    top = module.split(".")[0]
    for i, names in enumerate(LAYERS.values()):
        if top in names:
            return i
    raise AssertionError(f"llmcost.{module} is in no layer: add it to LAYERS")


def imports() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "llmcost":
                target = node.module.removeprefix("llmcost").lstrip(".")
                # `from llmcost import defaults` names a module; `from llmcost.x import y` the module x
                found |= {f"{target}.{a.name}".lstrip(".") for a in node.names} if not target else {target}
            elif isinstance(node, ast.Import):
                found |= {a.name.removeprefix("llmcost.") for a in node.names if a.name.startswith("llmcost.")}
        out[module_of(path)] = {m for m in found if m and m.split(".")[0] != "__init__"}
    return out


GRAPH = imports()


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if not m.endswith("__init__")))
def test_imports_only_from_its_own_or_earlier_layers(module: str) -> None:
    later = sorted(t for t in GRAPH[module] if layer(t) > layer(module))
    assert not later, f"llmcost.{module} ({ORDER[layer(module)]}) imports later layers: {later}"


def test_no_import_circles() -> None:
    modules = {m for m in GRAPH if not m.endswith("__init__")}

    def resolve(target: str) -> str:  # "commands.common.alpha" -> "commands.common"
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target

    edges = {m: {resolve(t) for t in GRAPH[m]} - {"", m} for m in modules}
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for t in edges[m]:
            if state.get(t) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path[path.index(t) :], t]))
            if t not in state:
                visit(t, [*path, t])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [m])


def test_the_model_imports_no_front_end_or_file_library() -> None:
    banned = ("typer", "rich", "yaml", "pandas", "matplotlib", "pydantic")
    for path in SRC.rglob("*.py"):
        module = module_of(path)
        if layer(module) > ORDER.index("analysis") or module in {"records", "catalog", "datatools"}:
            continue
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & set(banned), f"llmcost.{module} imports {sorted(names & set(banned))}"


def test_defaults_live_in_one_module() -> None:
    # the seed's token mix, the utilization target, vLLM's memory fraction and the month's length
    # are written once, in defaults.py; everything else (help text included) reads them from there
    literals = ("365 / 12", "= 2000", "= 500\n", "0.70", "0.90", "[2000]", "[500]", "[0.7]")
    for path in SRC.rglob("*.py"):
        if path.name == "defaults.py":
            continue
        text = path.read_text()
        found = [x for x in literals if x in text]
        assert not found, f"{path.name} writes default(s) {found}: read them from llmcost.defaults"
