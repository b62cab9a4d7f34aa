"""build.py: pinned, verified downloads; a complete dist/; a server that acts like Netlify."""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import build


def cached_copy(tmp_path: Path) -> Path:
    """A private download cache holding the real, verified files."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for download in build.downloads():
        shutil.copy2(build.cache_dir() / download.filename, cache / download.filename)
    return cache


def test_a_tampered_download_fails_the_build_and_is_thrown_away(tmp_path: Path, dist: Path) -> None:
    cache = cached_copy(tmp_path)
    runtime = cache / build.downloads()[0].filename
    data = bytearray(runtime.read_bytes())
    data[len(data) // 2] ^= 0x01
    runtime.write_bytes(bytes(data))
    with pytest.raises(build.BuildError, match="does not match the hash pinned"):
        build.build(tmp_path / "dist", cache)
    assert not runtime.exists()
    assert not (tmp_path / "dist").exists()


def test_a_tampered_wheel_fails_the_build(tmp_path: Path, dist: Path) -> None:
    cache = cached_copy(tmp_path)
    wheel = cache / build.downloads()[1].filename
    wheel.write_bytes(b"PK" + wheel.read_bytes())
    with pytest.raises(build.BuildError, match=r"pyodide-http 0\.2\.2"):
        build.build(tmp_path / "dist", cache)


def test_without_npm_the_build_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(build.BuildError, match="`npm` is not installed"):
        build.build(tmp_path / "dist", tmp_path / "empty-cache")


def test_the_build_works_from_the_cache_alone(tmp_path: Path, dist: Path) -> None:
    built = build.build(tmp_path / "dist", cached_copy(tmp_path))
    assert (built / "index.html").exists()


def test_dist_holds_the_runtime_and_nothing_it_does_not_need(dist: Path) -> None:
    runtime = dist / "pyodide" / build.PYODIDE_VERSION
    names = {path.name for path in runtime.iterdir()}
    [stdlib] = [name for name in names if name.startswith("python_stdlib-")]
    assert names == {
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm.gz",
        stdlib,
        "pyodide-lock.json",
    }
    worker = (dist / "static" / "worker.js").read_text()
    assert "%" not in worker.split("\n", 3)[2]  # placeholders filled in
    assert f"../pyodide/{build.PYODIDE_VERSION}/pyodide.mjs" in worker
    assert not list(dist.rglob("*.map"))
    service_worker = (dist / "sw.js").read_text()
    assert f'"pyodide/{build.PYODIDE_VERSION}/pyodide.asm.wasm"' in service_worker
    assert f'"{build.KEPT_IN}"' in service_worker


def test_the_app_bundle_is_reproducible() -> None:
    assert build.app_bundle() == build.app_bundle()


def headers_of(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url) as response:
        return {k.lower(): v for k, v in response.headers.items()}


def test_the_local_server_sends_netlify_tomls_headers_and_the_right_types(site: str) -> None:
    page = headers_of(site)
    assert page["content-security-policy"].startswith("default-src 'none'; script-src 'self'")
    assert "connect-src 'self' https://api.netlify.com;" in page["content-security-policy"]
    assert page["x-content-type-options"] == "nosniff"
    assert page["cache-control"] == "public, max-age=0, must-revalidate"
    runtime = f"{site}pyodide/{build.PYODIDE_VERSION}/"
    wasm = headers_of(runtime + "pyodide.asm.wasm.gz")
    assert wasm["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" in wasm
    assert headers_of(runtime + "pyodide.mjs")["content-type"] == "text/javascript"
    assert headers_of(site + "static/main.js")["content-type"] == "text/javascript"


def test_header_rules_merge_as_netlify_merges_them(tmp_path: Path) -> None:
    config = tmp_path / "netlify.toml"
    config.write_text(
        '[[headers]]\nfor = "/*"\n[headers.values]\nA = "1"\nB = "1"\n'
        '[[headers]]\nfor = "/embed.html"\n[headers.values]\nB = "2"\n'
    )
    rules = build.header_rules(config)
    assert build.headers_for("/embed.html", rules) == {"A": "1", "B": "2"}
    assert build.headers_for("/index.html", rules) == {"A": "1", "B": "1"}


def test_the_local_server_compresses_text_as_netlify_does(site: str) -> None:
    runtime = f"{site}pyodide/{build.PYODIDE_VERSION}/"
    request = urllib.request.Request(
        runtime + "pyodide.asm.mjs", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        etag = response.headers["ETag"]
        assert len(response.read()) < 400_000
    again = urllib.request.Request(
        runtime + "pyodide.asm.mjs", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    with pytest.raises(urllib.error.HTTPError) as unchanged:
        urllib.request.urlopen(again)
    assert unchanged.value.code == 304
    binary = urllib.request.Request(
        runtime + "pyodide.asm.wasm.gz", headers={"Accept-Encoding": "gzip"}
    )
    with urllib.request.urlopen(binary) as response:
        assert response.headers["Content-Encoding"] is None
