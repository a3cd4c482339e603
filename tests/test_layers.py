"""The layer rules, read from the code itself: the core imports no adapter, nothing imports the
composition root, no module-level import cycle exists, and the command line starts light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib

import grimp

import bot
from tests.conftest import ROOT

ROOT_MODULES = {"bot.app", "bot.cli", "bot.__main__"}
ADAPTERS = (
    "handlers",
    "storage",
    "slack_bolt",
    "slack_sdk",
    "sqlalchemy",
    "alembic",
    "apscheduler",
    "gunicorn",
    "click",
)


def core_modules() -> list[str]:
    """Every module of `bot` outside the composition root."""
    found = []
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if not any(info.name == r or info.name.startswith(r + ".") for r in ROOT_MODULES):
            found.append(info.name)
    return sorted(found)


def test_importing_the_whole_core_loads_no_adapter():
    script = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}: importlib.import_module(name)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(ADAPTERS)!r}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.strip() == "[]", run.stdout


def test_the_core_contract_names_every_core_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    top_level = {".".join(name.split(".")[:2]) for name in core_modules()}
    assert set(config["source_modules"]) == top_level


def test_no_module_level_import_cycle():
    graph = grimp.build_graph("bot", "handlers", "storage", exclude_type_checking_imports=False)
    cycles = [component for component in _strongly_connected(graph) if len(component) > 1]
    assert cycles == []


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm over the module import graph (iterative: the graph is deep)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def test_nothing_but_the_entry_points_imports_the_composition_root():
    graph = grimp.build_graph("bot", "handlers", "storage", exclude_type_checking_imports=False)
    importers = {
        importer
        for module in graph.find_descendants("bot.app") | {"bot.app"}
        for importer in graph.find_modules_that_directly_import(module)
    }
    outside = {m for m in importers if not (m == "bot.app" or m.startswith("bot.app.") or m in ROOT_MODULES)}
    assert outside == set()


def test_the_command_line_imports_no_database_layer_until_a_command_needs_it():
    script = (
        "import bot.cli, sys; print('alembic' in sys.modules, 'sqlalchemy' in sys.modules, 'slack_bolt' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert run.stdout.split() == ["False", "False", "False"]
