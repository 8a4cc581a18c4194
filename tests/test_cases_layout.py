"""The case engine's layout: its parts depend on each other in one direction, and no module
of it imports itself back through others (function-level imports included, since those are
how a circle hides)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent.parent / "streetbrain" / "cases"

# What each part may import of the others. The shared modules at the app's root (models,
# timeline, numbers, forms, filtersets, tables, …) import no part; the wiring at the root
# (apps, urls, tasks, api/, management/, and what the app contributes to the platform:
# extensions, its cockpit panels and key figures) may import every part. The demo's part is
# not the app's: it lives in streetbrain/demo.
PARTS = {
    "intake": set(),
    "workflow": {"intake"},
    "channels": {"intake", "workflow"},
    "evaluation": {"workflow"},
}
WIRING = {
    "apps",
    "urls",
    "tasks",
    "api",
    "management",
    "extensions",
    "panels",
    "figures",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in CASES.rglob("*.py"):
        parts = path.relative_to(CASES.parent.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The streetbrain.cases modules ``name`` imports, wherever in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from . import m" names the module m; "from .m import f" names m.
            named = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t for t in named if t in known]
            if len(targets) < len(named):
                targets.append(base)
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _part(module: str) -> str:
    rest = module.split(".")[2:]
    return rest[0] if rest else ""


def test_the_graph_sees_the_imports_it_checks():
    graph = _graph()
    assert "streetbrain.cases.intake.store" in graph["streetbrain.cases.intake.queue"]
    assert "streetbrain.cases.intake.pipeline" in graph["streetbrain.cases.workflow.actions"]
    assert "streetbrain.cases.models" in graph["streetbrain.cases.channels.open311.keys"]
    # a function-level import counts
    assert "streetbrain.cases.intake.refdata" in graph["streetbrain.cases.apps"]


def test_no_import_circle_inside_cases():
    assert _cycles(_graph()) == []


def test_a_circle_would_be_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("part", sorted(PARTS))
def test_each_part_imports_only_the_parts_below_it(part):
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _part(module) == part
        for target in targets
        if _part(target) in PARTS and _part(target) not in PARTS[part] | {part}
    )
    assert wrong == []


def test_the_shared_modules_import_no_part():
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if _part(module) not in PARTS and _part(module) not in WIRING
        for target in targets
        if _part(target) in PARTS
    )
    assert wrong == []
