"""The trimmed standard library the page ships must hold every module the app can import.

build.py keeps only what running the app's code paths imported under Pyodide. This test reads
every import statement of the app instead, on every path (error paths and
function-level imports included), so a module imported only on a path the build did not take
cannot go missing unnoticed. The browser tests then run every failure path against that build.
"""

from __future__ import annotations

import ast
import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import build
from publish.stdlib import STANDINS
from tests.conftest import ROOT


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            # `from email import utils` may name a submodule.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def browser_python() -> dict[str, str]:
    return {name: (ROOT / name).read_text() for name in build.APP_SOURCES}


def module_files(names: list[str]) -> set[str]:
    modules = set()
    for name in names:
        stem = name.rsplit(".", 1)[0]
        modules.add(stem.removesuffix("/__init__").replace("/", "."))
    return modules


def stock_stdlib() -> set[str]:
    archive = (build.cache_dir() / build.RUNTIME.filename).read_bytes()
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        member = tar.extractfile("package/python_stdlib.zip")
        assert member is not None
        with zipfile.ZipFile(io.BytesIO(member.read())) as stdlib:
            return module_files([n for n in stdlib.namelist() if n.endswith(".py")])


def shipped_stdlib(dist: Path) -> set[str]:
    [packed] = (dist / "pyodide" / build.PYODIDE_VERSION).glob("python_stdlib-*.zip.gz")
    with zipfile.ZipFile(io.BytesIO(gzip.decompress(packed.read_bytes()))) as stdlib:
        names = stdlib.namelist()
    assert all(name.endswith(".pyc") for name in names), "sources shipped: nothing precompiled"
    return module_files(names)


def test_every_standard_module_the_app_imports_is_shipped(dist: Path) -> None:
    stock, shipped = stock_stdlib(), shipped_stdlib(dist)
    wanted = set()
    for source in browser_python().values():
        wanted |= {name for name in imported_modules(source) if name in stock}
    missing = sorted(wanted - shipped)
    assert not missing, f"imported by the app but not in the trimmed standard library: {missing}"
    # And the packages those modules live in, which Python imports first.
    parents = {name.rsplit(".", 1)[0] for name in wanted if "." in name}
    assert parents & stock <= shipped


def test_the_guard_would_notice_a_missing_module(dist: Path) -> None:
    stock = stock_stdlib()
    assert "urllib.request" in imported_modules("import urllib.request")
    assert "email.utils" in imported_modules("from email.utils import parsedate_to_datetime")
    assert {"http.client", "email.parser", "urllib.request"} <= stock
    assert "argparse" in stock and "argparse" not in shipped_stdlib(dist)


def test_the_trim_leaves_out_most_of_the_library(dist: Path) -> None:
    assert len(shipped_stdlib(dist)) < len(stock_stdlib()) / 2


def test_the_app_ships_precompiled_in_the_same_zip(dist: Path) -> None:
    shipped = shipped_stdlib(dist)
    assert module_files(list(build.APP_SOURCES)) <= shipped
    # The command line is not the page's: checker/cli.py and what only it imports stay behind,
    # and so does urllib's HTTP, since the worker sends the page's requests with fetch.
    command_line = {"checker.cli", "checker.schema", "checker.transport", "argparse", "getpass"}
    assert not command_line & shipped
    assert not {"urllib.request", "http.client"} & shipped
    # Nor what the page's requests and rate limit once took from the library whole: urllib's
    # parser (and the ipaddress module it imports) and email's date parser, 34 KB gzipped.
    assert not {"urllib.parse", "ipaddress", "email.utils", "checker.outputs.addresses"} & shipped


def test_pyodide_starts_without_asyncio_or_package_installing(dist: Path) -> None:
    # Pyodide's start imports asyncio (and with it sockets, ssl, subprocesses, logging,
    # threads) and its package installer (shutil, tempfile, zipfile, pathlib); the page does
    # neither, and ships the stand-ins in publish/stdlib/standins instead. Had anything the page
    # runs imported the real ones, the trim would have shipped them.
    shipped = shipped_stdlib(dist)
    assert {"asyncio", "pyodide.webloop", "pyodide._package_loader"} <= shipped
    heavy = {"asyncio.base_events", "ssl", "socket", "subprocess", "logging", "threading"}
    assert not (heavy | {"shutil", "tempfile", "zipfile", "pathlib"}) & shipped
    # And a stand-in is never what the app itself imports: it has only what Pyodide reads.
    wanted = set()
    for source in browser_python().values():
        wanted |= imported_modules(source)
    standins = module_files(
        [path.relative_to(STANDINS).as_posix() for path in STANDINS.rglob("*.py")]
    )
    assert not wanted & standins
