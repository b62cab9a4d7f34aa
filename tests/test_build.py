"""build.py: pinned, verified downloads; a complete dist/; a server that acts like Netlify."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import pytest

import build
from publish import compress, pages


def cached_copy(tmp_path: Path) -> Path:
    """A private download cache holding the real, verified files."""
    cache = tmp_path / "cache"
    cache.mkdir()
    name = build.RUNTIME.filename
    shutil.copy2(build.cache_dir() / name, cache / name)
    return cache


def test_a_tampered_download_fails_the_build_and_is_thrown_away(tmp_path: Path, dist: Path) -> None:
    cache = cached_copy(tmp_path)
    runtime = cache / build.RUNTIME.filename
    data = bytearray(runtime.read_bytes())
    data[len(data) // 2] ^= 0x01
    runtime.write_bytes(bytes(data))
    with pytest.raises(build.BuildError, match="does not match the hash pinned"):
        build.build(tmp_path / "dist", cache)
    assert not runtime.exists()
    assert not (tmp_path / "dist").exists()


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
    # runtime.js is folded into the worker's one file, its placeholders filled in.
    assert not (dist / "static" / "runtime.js").exists()
    worker = (dist / "static" / "worker.js").read_text()
    assert not re.search(r"%[A-Z_]+%", worker)
    assert f"../pyodide/{build.PYODIDE_VERSION}/pyodide.mjs" in worker
    assert 'from "./runtime.js"' not in worker
    assert not list(dist.rglob("*.map"))
    service_worker = (dist / "sw.js").read_text()
    assert f'"pyodide/{build.PYODIDE_VERSION}/pyodide.asm.wasm"' in service_worker
    assert f'"{build.KEPT_IN}"' in service_worker


def test_a_tampered_zopfli_wheel_stops_the_build(tmp_path: Path) -> None:
    wheel = bytearray(build.fetch(compress.zopfli_download(), build.cache_dir()))
    wheel[len(wheel) // 2] ^= 0x01
    (tmp_path / compress.ZOPFLI_WHEEL).write_bytes(bytes(wheel))
    with pytest.raises(build.BuildError, match=r"zopfli 0\.4\.3 \(PyPI\) does not match"):
        compress.Compressor(tmp_path)(b"anything")


def test_a_compressed_file_changed_in_the_cache_is_never_shipped(
    tmp_path: Path, dist: Path
) -> None:
    data = b"the runtime, say " * 2000
    wheel = build.fetch(compress.zopfli_download(), build.cache_dir())
    (tmp_path / compress.ZOPFLI_WHEEL).write_bytes(wheel)  # no second download
    squeeze = compress.Compressor(tmp_path)
    squeeze(data)
    [kept] = (tmp_path / "compressed").iterdir()
    damaged = bytearray(kept.read_bytes())
    damaged[len(damaged) // 2] ^= 0x20  # same size, different bytes
    kept.write_bytes(bytes(damaged))
    assert gzip.decompress(squeeze(data)) == data
    assert gzip.decompress(kept.read_bytes()) == data  # and the cache is mended


def test_a_link_in_the_cache_is_replaced_never_written_through(tmp_path: Path, dist: Path) -> None:
    """A damaged entry that is a link: the build writes a real file, and the target is untouched."""
    data = b"the runtime, say " * 2000
    cache = tmp_path / "cache"
    cache.mkdir()
    wheel = build.fetch(compress.zopfli_download(), build.cache_dir())
    (cache / compress.ZOPFLI_WHEEL).write_bytes(wheel)
    elsewhere = tmp_path / "someone-elses-file"
    elsewhere.write_bytes(b"precious")
    entry = cache / "compressed" / f"{hashlib.sha256(data).hexdigest()}.gz"
    entry.parent.mkdir()
    entry.symlink_to(elsewhere)
    assert gzip.decompress(compress.Compressor(cache)(data)) == data
    assert elsewhere.read_bytes() == b"precious"
    assert not entry.is_symlink()
    assert gzip.decompress(entry.read_bytes()) == data


def test_a_dangling_link_where_a_download_belongs_is_not_written_through(
    tmp_path: Path, dist: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    target = tmp_path / "planted"
    wheel = compress.zopfli_download()
    (cache / wheel.filename).symlink_to(target)
    # The registry is asked again (pip reaches it here), and the file lands in the cache itself.
    assert wheel.matches(build.fetch(wheel, cache))
    assert not target.exists()
    assert not (cache / wheel.filename).is_symlink()


def test_the_app_bundle_is_reproducible() -> None:
    assert build.app_bundle() == build.app_bundle()


# --- the three pages, and the sign-in they offer -------------------------------------------------


def test_the_client_id_is_written_into_every_page_only_when_the_deployer_sets_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = (build.ROOT / "index.html").read_text()
    monkeypatch.setenv(pages.CLIENT_ID_VARIABLE, "  abc123-DEF_456  ")
    client_id = pages.client_id_from_environment()
    assert client_id == "abc123-DEF_456"
    for mode in ("page", "widget", "window"):
        with_id = pages.variant(index, mode, client_id)
        assert '<meta name="netlify-oauth-client-id" content="abc123-DEF_456">' in with_id
        assert "netlify-oauth-client-id" not in pages.variant(index, mode, None)
    monkeypatch.delenv(pages.CLIENT_ID_VARIABLE)
    assert pages.client_id_from_environment() is None


@pytest.mark.parametrize("value", ['abc"><script>', "short", "with space inside"])
def test_a_value_that_is_no_client_id_stops_the_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv(pages.CLIENT_ID_VARIABLE, value)
    with pytest.raises(build.BuildError, match="NETLIFY_OAUTH_CLIENT_ID is not"):
        build.build(tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_only_the_widget_lacks_the_token_field_and_only_the_window_is_the_sign_in_return(
    dist: Path,
) -> None:
    index, widget, window = (
        (dist / name).read_text() for name in ("index.html", "widget.html", "token.html")
    )
    assert 'id="token"' in index and 'id="token"' in window
    assert 'id="token"' not in widget
    assert 'data-mode="window"' in window and "Embed this" not in window
    for page in (index, widget, window):
        for marker in ("page-only", "not-widget", "widget-only", "window-only"):
            assert marker not in page
