"""The shape of the code: no import cycle, no oversized module, a CLI without Sphinx."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "sphinx_ethics"
MAX_LINES = 450


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Our modules that ``path`` imports, anywhere in it (functions too),
    except under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text("utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(child) for child in ast.walk(node)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            # ``from package import module`` is an edge to the module; a name
            # that is not a module is an edge to the module it comes from.
            submodules = [f"{node.module}.{a.name}" for a in node.names]
            names = [n for n in submodules if n in known]
            if len(names) < len(submodules):
                names.append(node.module)
        else:
            continue
        found |= {n for n in names if n in known}
    return found


def test_no_import_cycle_among_modules():
    known = modules()
    graph = {name: imports_of(path, set(known)) - {name} for name, path in known.items()}
    # Every submodule import runs the package's __init__ first, which imports
    # only sphinx_ethics.version at the top; setup() imports the extension's
    # modules when Sphinx calls it.  So edges to and from the package itself
    # are not cycles; every other edge counts, imports inside functions too.
    assert imports_of(known["sphinx_ethics"], set(known)) - {"sphinx_ethics"} >= {
        "sphinx_ethics.version"
    }
    graph["sphinx_ethics"] = set()
    for name in graph:
        graph[name].discard("sphinx_ethics")
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_the_cycle_check_finds_a_cycle(tmp_path):
    """The check above is not a tautology: a two-module cycle is caught."""
    (tmp_path / "a.py").write_text("from sphinx_ethics.b import x\n")
    assert imports_of(tmp_path / "a.py", {"sphinx_ethics.b"}) == {"sphinx_ethics.b"}
    (tmp_path / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sphinx_ethics.b\n"
    )
    assert imports_of(tmp_path / "c.py", {"sphinx_ethics.b"}) == set()


def test_no_module_is_oversized():
    sizes = {name: len(p.read_text("utf-8").splitlines()) for name, p in modules().items()}
    assert {n: s for n, s in sizes.items() if s > MAX_LINES} == {}


def test_command_line_imports_no_sphinx():
    code = (
        "import sys, sphinx_ethics.cli\n"
        "bad = [m for m in sys.modules if m == 'sphinx' or m.startswith('sphinx.')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# The layers, as docs/architecture.rst draws them: what each may import.
SHARED = {"version", "problems", "files", "repository"}
MAY_IMPORT = {
    "shared": set(),
    "checklists": set(),  # the built-in checklist data (YAML); no code
    "catalogue": {"shared"},
    "answers": {"catalogue", "shared"},
    "pages": {"answers", "catalogue", "shared"},
    "outputs": {"answers", "catalogue", "shared"},
    "nodes": {"answers", "catalogue", "shared"},
    "untrusted": {"answers", "catalogue", "shared"},
    "programme": {"shared"},  # programme data: TOML, fetching, snapshots (no Sphinx)
    "extension": {"nodes", "untrusted", "programme", "answers", "catalogue", "shared"},
    "cli": {"extension", "outputs", "pages", "programme", "answers", "catalogue", "shared"},
    "package": {"extension", "nodes", "shared"},  # setup() wires in the extension
    "__main__": {"cli"},
}


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    return "shared" if parts[1] in SHARED else parts[1]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for name, targets in graph.items():
        for target in targets:
            source, dest = layer_of(name), layer_of(target)
            if source != dest and dest not in MAY_IMPORT[source] and dest != "package":
                bad.append(f"{name} -> {target} ({source} may not import {dest})")
    return sorted(bad)


def test_every_module_is_in_a_known_layer():
    assert {layer_of(name) for name in modules()} == set(MAY_IMPORT)


def test_imports_run_down_the_layers():
    known = modules()
    graph = {name: imports_of(path, set(known)) - {name} for name, path in known.items()}
    assert layer_violations(graph) == []


def test_the_layer_check_finds_an_upward_import():
    """Not a tautology: an import from the answer model up into the extension is caught."""
    graph = {
        "sphinx_ethics.answers.slots": {"sphinx_ethics.extension.config"},
        "sphinx_ethics.outputs.form": {"sphinx_ethics.pages.new"},
        "sphinx_ethics.cli.check": {"sphinx_ethics.extension.reports"},
    }
    assert layer_violations(graph) == [
        "sphinx_ethics.answers.slots -> sphinx_ethics.extension.config "
        "(answers may not import extension)",
        "sphinx_ethics.outputs.form -> sphinx_ethics.pages.new (outputs may not import pages)",
    ]


def test_no_folder_holds_more_than_about_a_dozen_modules():
    folders: dict[str, int] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name != "__init__.py":
            folder = str(path.parent.relative_to(PACKAGE))
            folders[folder] = folders.get(folder, 0) + 1
    assert {name: n for name, n in folders.items() if n > 13} == {}


def test_the_architecture_page_lists_every_event_handler():
    """docs/architecture.rst's event table names every ``app.connect`` in the code."""
    import re

    page = (PACKAGE.parent / "docs" / "architecture.rst").read_text("utf-8")
    rows = re.split(r"^   \* - ", page, flags=re.M)
    connected = []
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        connected += re.findall(r'app\.connect\(\s*"([\w-]+)",\s*(?:\w+\.)*(\w+)', text)
    assert len(connected) > 10
    missing = [
        f"{event}: {handler}"
        for event, handler in connected
        if not any(f"``{event}``" in row and handler in row for row in rows)
    ]
    assert missing == []
    # and no row names an event the code no longer connects to
    listed = {m for row in rows[1:] for m in re.findall(r"\A``([\w-]+)``", row)}
    assert listed - {"Event"} == {event for event, _handler in connected}
