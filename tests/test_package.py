"""The command line as an installable package: a wheel built from this tree, installed into a
fresh virtual environment outside it, gives a `netlify-bandwidth` command, and nothing else."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from checker import __version__
from tests.conftest import ROOT


def test_a_wheel_installs_a_netlify_bandwidth_command_and_only_the_checker(
    tmp_path: Path,
) -> None:
    # What a clone holds for the package, copied: setuptools builds inside the source tree.
    source = tmp_path / "source"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "checker", source / "checker", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    # Offline, with the setuptools beside pip: what `pipx install` or `uv tool install` build.
    pip_wheel = ["pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)]
    subprocess.run(
        [sys.executable, "-m", *pip_wheel, str(source)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    [wheel] = wheels.glob("*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    # The checker's own package and its metadata: no `app`, `build`, `publish` or `tests`.
    assert {top for top in tops if not top.endswith(".dist-info")} == {"checker"}
    environment = tmp_path / "env"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    command = environment / "bin" / "netlify-bandwidth"
    shown = subprocess.run(
        [str(command), "--version"], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert shown.stdout.strip() == f"netlify-bandwidth {__version__}"
    example = subprocess.run(
        [str(command), "--example"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": ""},
        check=False,
    )
    assert example.returncode == 0, example.stderr
    assert "Example Studio" in example.stdout and "275 of 300 credits spent" in example.stdout
    assert example.stderr.startswith("Example figures for 5 made-up teams")
    # The core install has no dependency; Apprise comes only with the `notify` extra.
    metadata = zipfile.ZipFile(wheel).read(
        next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("METADATA"))
    )
    requires = [line for line in metadata.decode().splitlines() if line.startswith("Requires-Dist")]
    assert requires == ['Requires-Dist: apprise>=2.0; extra == "notify"']
    secret = "json://127.0.0.1:9/hook?token=s3cret"
    without = subprocess.run(
        [str(command), "--fail-over", "80", "--notify", secret],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": ""},
        check=False,
    )
    assert without.returncode == 2
    assert "pipx install 'netlify-bandwidth-checker[notify]'" in without.stderr
    assert "s3cret" not in without.stderr + without.stdout
