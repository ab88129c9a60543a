"""The shape of the code (docs/architecture.md), checked from the source: floors only import
downwards, no module imports another that imports it back, a dataset's rules live in its
registration, plugins use the public API, and the runner's rooms stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from vsumbench.datasets import list_datasets

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("vsumbench", "csta", "baselines")


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every project module ``name`` imports, at module level or inside functions."""
    tree = ast.parse(MODULES[name].read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _reaches(start: str, goal: str) -> bool:
    seen, todo = set(), list(GRAPH[start])
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(GRAPH[node])
    return False


def _is_package_of(a: str, b: str) -> bool:
    return b.startswith(a + ".") or a.startswith(b + ".")


def test_no_module_imports_another_that_imports_it_back():
    # A package re-exporting its own submodules is not a cycle (``vsumbench.data`` ->
    # ``vsumbench.data.eccv16``); anything else that leads back to itself is.
    cycles = sorted(
        f"{a} <-> {b}"
        for a, targets in GRAPH.items()
        for b in targets
        if not _is_package_of(a, b) and _reaches(b, a) and a < b
    )
    assert cycles == []


FLOORS = {  # a floor may import only the floors listed (and errors/atomic/numbers/datasets)
    "vsumbench.protocol": (),
    "vsumbench.data": ("vsumbench.protocol",),
    "vsumbench.models": ("vsumbench.protocol", "vsumbench.data"),
    "vsumbench.runner": ("vsumbench.protocol", "vsumbench.data", "vsumbench.models"),
    "vsumbench.report": (
        "vsumbench.protocol",
        "vsumbench.data",
        "vsumbench.models",
        "vsumbench.runner.result",
        "vsumbench.runner.store",
        "vsumbench.runner.selection",
    ),  # fmt: skip
    "vsumbench.sweep": (
        "vsumbench.protocol",
        "vsumbench.data",
        "vsumbench.models",
        "vsumbench.runner",
        "vsumbench.report",
    ),
}
BASEMENT = (
    "vsumbench.errors",
    "vsumbench.atomic",
    "vsumbench.numbers",
    "vsumbench.datasets",
    "vsumbench.progress",
)


@pytest.mark.parametrize("floor", sorted(FLOORS))
def test_floors_import_only_downwards(floor):
    allowed = (floor, *FLOORS[floor], *BASEMENT)
    bad = sorted(
        f"{name} -> {target}"
        for name in MODULES
        if name == floor or name.startswith(floor + ".")
        for target in GRAPH[name]
        if not any(target == a or target.startswith(a + ".") for a in allowed)
        and target != "vsumbench"
    )
    assert bad == []


def test_plugins_use_only_the_public_model_api():
    for name in MODULES:
        if name.split(".")[0] in ("csta", "baselines"):
            for target in GRAPH[name]:
                if target.startswith("vsumbench"):
                    assert target.startswith(("vsumbench.models", "vsumbench.errors")), (
                        name,
                        target,
                    )


def test_no_dataset_name_branches_outside_the_registrations():
    """``if dataset == "tvsum"`` belongs in a `DatasetSpec`, not in the code."""
    names = set(list_datasets())
    hits = []
    for name, path in MODULES.items():
        if name == "vsumbench.datasets":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Constant) and s.value in names for s in sides):
                    hits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hits == []


def test_the_runner_is_split_into_small_rooms():
    train = (ROOT / "vsumbench" / "runner" / "train.py").read_text()
    assert len(train.splitlines()) <= 250
    long = []
    for path in (ROOT / "vsumbench" / "runner").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.end_lineno - node.lineno + 1 > 60:
                long.append(f"{path.name}:{node.name}")
    assert long == []
