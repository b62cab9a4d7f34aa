"""checker/ is a house in layers: netlify (requests and answers, no I/O) < figures (what they
come to) < view (what a reader sees) < outputs (what the command line writes) < the top (the
command line, the page's session, the transport). No import goes up a layer, none goes round in
a circle, and the top holds at most five modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

CHECKER = ROOT / "checker"
LAYERS = ["netlify", "figures", "view", "outputs"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    parts = module.split(".")
    if module == "checker":
        return -1  # the package's own __init__: the version, nothing else
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else len(LAYERS)


def imports(path: Path) -> set[str]:
    """The checker modules `path` imports, at any depth of its code."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("checker"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                exists = (ROOT / (candidate.replace(".", "/") + ".py")).exists()
                found.add(candidate if exists else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("checker")}
    return found


GRAPH = {module_name(path): imports(path) for path in CHECKER.rglob("*.py")}


def test_no_import_goes_up_a_layer() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if layer(target) > layer(source)
    ]
    assert not upward


def test_no_import_goes_round_in_a_circle() -> None:
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join([*path, module])
        if module in done:
            return
        for target in GRAPH.get(module, ()):
            if target != module and not module.startswith(target + "."):
                visit(target, [*path, module])
        done.add(module)

    for module in GRAPH:
        visit(module, [])


def test_the_top_holds_at_most_five_modules_and_each_layer_names_every_module_it_holds() -> None:
    top = sorted(path.name for path in CHECKER.glob("*.py"))
    assert len(top) <= 5, top
    for name in LAYERS:
        docstring = ast.get_docstring(ast.parse((CHECKER / name / "__init__.py").read_text()))
        assert docstring, name
        modules = {path.stem for path in (CHECKER / name).glob("*.py")} - {"__init__"}
        named = set(re.findall(r"`(\w+)`", docstring))
        assert modules - named == set(), f"checker/{name}'s docstring leaves out {modules - named}"


def test_each_class_and_type_of_checker_has_a_name_of_its_own() -> None:
    """One name, one thing: the model of a team is not the address a count sends with, nor a
    card's gauge the cost table's meter. Classes and type aliases (a capitalised name bound at
    a module's top, not a CONSTANT); a private one (a leading underscore) is its module's own."""
    defined: dict[str, list[str]] = {}
    for path in CHECKER.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, ast.ClassDef):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [target.id for target in node.targets if isinstance(target, ast.Name)]
            aliases = [name for name in names if name[:1].isupper() and not name.isupper()]
            for name in aliases if not isinstance(node, ast.ClassDef) else names:
                if not name.startswith("_"):
                    defined.setdefault(name, []).append(module_name(path))
    twice = {name: where for name, where in defined.items() if len(where) > 1}
    assert not twice, twice


def test_no_function_of_checker_runs_past_60_lines() -> None:
    long = [
        f"{module_name(path)}.{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for path in CHECKER.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert not long, long
