"""Netlify's own build runner (`@netlify/build`, pinned by package-lock.json beside this file) and
throwaway sites that install this repository's build plugin as a user would: `npm pack` of the
repository, then `npm install` of that tarball, and `[[plugins]]` in the site's netlify.toml.

The runner is installed once with `npm ci` (which checks every package against the lock's
hashes) into the checker's cache, in a folder named for the lock's hash, so that a changed lock
installs afresh and an unchanged one costs nothing. Where npm cannot reach its registry, the
tests that need it are skipped, saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from publish.downloads import cache_dir
from tests.conftest import ROOT

HERE = Path(__file__).parent
# What npm says when it cannot reach the registry at all, rather than refusing a package.
_OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ETIMEDOUT", "ECONNRESET", "ENETUNREACH")


class Unreachable(Exception):
    """npm could not be run, or could not reach its registry: the reason to skip."""


def runner() -> Path:
    """The `netlify-build` command of the pinned @netlify/build, installed if it is not yet."""
    lock = (HERE / "package-lock.json").read_bytes()
    home = cache_dir() / f"netlify-build-{hashlib.sha256(lock).hexdigest()[:16]}"
    command = home / "node_modules" / ".bin" / "netlify-build"
    if command.exists():
        return command
    npm = shutil.which("npm")
    if npm is None:
        raise Unreachable("npm is not installed")
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent) as staging:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, staging)
        # No install scripts: the runner needs none of them to run a site's plugins.
        flags = ["--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
        done = _npm([npm, "ci", *flags], Path(staging), timeout=600)
        if done.returncode != 0:
            said = done.stderr + done.stdout
            if any(code in said for code in _OFFLINE):
                raise Unreachable(f"npm could not reach its registry: {said.strip()[-300:]}")
            raise RuntimeError(f"npm ci of @netlify/build failed:\n{said}")
        if not home.exists():  # another run may have installed it meanwhile
            os.rename(staging, home)
            Path(staging).mkdir()  # for TemporaryDirectory to remove
    # An install for a lock no longer here is hundreds of megabytes that nothing will use.
    for old in home.parent.glob("netlify-build-*"):
        if old != home and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return command


def package(name: str) -> Path:
    """The entry point of one of the pinned runner's packages, such as @netlify/headers-parser."""
    folder = runner().parents[1] / name
    entry = json.loads((folder / "package.json").read_text())["main"]
    return folder / entry


def headers(config: Path, headers_file: Path, paths: list[str]) -> dict[str, object]:
    """What Netlify's own headers parser reads of `config` and `headers_file` (headers.mjs)."""
    args = [str(package("@netlify/headers-parser")), str(config), str(headers_file)]
    done = _run(["node", str(HERE / "headers.mjs"), *args, json.dumps(paths)], HERE, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@contextmanager
def netlify_dev(site: Path, dist: Path) -> Iterator[str]:
    """Netlify's own local server, `netlify dev` (netlify-cli, pinned with the runner), serving
    a copy of `dist` with this repository's netlify.toml, offline; its address. Its edge
    functions proxy is left off: it downloads Deno when it starts, which no machine here can."""
    cli = runner().parent / "netlify"
    shutil.copy(ROOT / "netlify.toml", site / "netlify.toml")
    shutil.copytree(dist, site / "dist")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [str(cli), "dev", "--offline", "--dir", "dist", "--port", str(port)]
    args += ["--internal-disable-edge-functions", "--skip-gitignore"]
    environment = {
        "HOME": str(site / ".home"),
        "PATH": os.environ["PATH"],
        "NETLIFY_TELEMETRY_DISABLED": "1",
        "BROWSER": "none",
    }
    log = (site / "netlify-dev.log").open("w")
    server = subprocess.Popen(args, cwd=site, env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            with socket.socket() as attempt:
                if attempt.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            raise AssertionError(
                f"netlify dev did not start:\n{(site / 'netlify-dev.log').read_text()}"
            )
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def pack(into: Path) -> Path:
    """This repository as npm packs it for a user (package.json's `files`)."""
    done = _npm(["npm", "pack", "--json", "--pack-destination", str(into), str(ROOT)], into)
    assert done.returncode == 0, done.stderr
    [packed] = json.loads(done.stdout)
    return into / packed["filename"]


def packed_files(cwd: Path) -> list[str]:
    """The files `pack` puts in the package, as npm lists them."""
    done = _npm(["npm", "pack", "--dry-run", "--json", str(ROOT)], cwd)
    assert done.returncode == 0, done.stderr
    return sorted(entry["path"] for entry in json.loads(done.stdout)[0]["files"])


@dataclass(frozen=True)
class Built:
    code: int
    log: str

    @property
    def completed(self) -> bool:
        return self.code == 0 and "Netlify Build Complete" in self.log

    @property
    def stopped(self) -> bool:
        """Failed by the plugin, as it stops a deploy (utils.build.failBuild)."""
        return self.code != 0 and 'Plugin "netlify-bandwidth-checker" failed' in self.log


def site(folder: Path, tarball: Path, inputs: dict[str, object] | None = None) -> Path:
    """A user's site: a package.json, the plugin installed from `tarball`, a netlify.toml."""
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>A site</title>\n")
    (folder / "package.json").write_text(json.dumps({"name": "a-site", "private": True}))
    flags = ["--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
    done = _npm(["npm", "install", "--save-dev", *flags, str(tarball)], folder)
    assert done.returncode == 0, done.stderr
    toml = ['[build]\npublish = "."\n', '[[plugins]]\npackage = "netlify-bandwidth-checker"\n']
    if inputs:
        toml.append("[plugins.inputs]\n")
        toml += [f"{key} = {json.dumps(value)}\n" for key, value in inputs.items()]
    (folder / "netlify.toml").write_text("".join(toml))
    return folder


def build(
    command: Path,
    folder: Path,
    *,
    context: str = "production",
    site_id: str | None = "site-blog",
    env: dict[str, str],
) -> Built:
    """`netlify-build --offline` in `folder`, as Netlify runs a site's plugins, with `env` as
    the build's environment (the site's variables) beside PATH and a HOME of its own."""
    args = [str(command), "--offline", "--context", context]
    if site_id is not None:
        args += ["--siteId", site_id]
    environment = {"HOME": str(folder / ".home"), "PATH": os.environ["PATH"], **env}
    done = _run(args, folder, environment)
    return Built(done.returncode, done.stdout + done.stderr)


def _npm(args: list[str], cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return _run(args, cwd, {**os.environ, "npm_config_update_notifier": "false"}, timeout)


def _run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """A command's outcome and its output, never waiting for input or for ever."""
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
