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
