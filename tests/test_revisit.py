"""A returning visitor: sw.js serves Python's runtime from the copy the first visit kept.

Speed is the benchmark's business (benchmarks/startup.py); these tests hold what a person relies
on: the kept copy is used, a lost copy costs only a download, and nothing but the runtime ever
passes through the service worker, least of all the request that carries the token.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from build import KEPT_IN, PYODIDE_VERSION
from tests.audit import audited_context
from tests.checker_page import CheckerPage
from tests.conftest import served_copy
from tests.fake_netlify import FakeNetlify
from tests.journeys import SNAPSHOTS

RUNTIME = f"/pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm"
RUNTIME_IS_KEPT = "(url) => caches.match(url).then((kept) => kept !== undefined)"


@pytest.fixture
def returning(browser: Any, site: str) -> Iterator[tuple[Any, list[Any]]]:
    """A context whose first visit is over and whose service worker holds the runtime."""
    with audited_context(browser, site) as context:
        first = CheckerPage(context.new_page(), site).open()
        first.until("() => navigator.serviceWorker.controller !== null")
        first.until(RUNTIME_IS_KEPT, RUNTIME)
        first.page.close()
        responses: list[Any] = []
        context.on("response", lambda response: responses.append(response))
        yield context, responses


def test_a_second_visit_runs_the_kept_runtime(
    returning: tuple[Any, list[Any]], site: str, netlify: FakeNetlify
) -> None:
    context, responses = returning
    checker = CheckerPage(context.new_page(), site).open()
    assert "acme" in checker.check(team="acme")
    served = {response.url.removeprefix(site.rstrip("/")): response for response in responses}
    assert served[RUNTIME].from_service_worker
    assert served[RUNTIME].ok
    assert RUNTIME + ".gz" not in served, "the runtime was downloaded again"
    # The service worker answers for the runtime alone: the page, its files and the request
    # with the token go to the network as if it were not there.
    passed_through = [path for path, response in served.items() if response.from_service_worker]
    assert passed_through == [RUNTIME]
    assert any("api.netlify.com" in path for path in served)


def test_a_lost_copy_means_a_download_not_a_failure(
    returning: tuple[Any, list[Any]], site: str, netlify: FakeNetlify
) -> None:
    context, responses = returning
    checker = CheckerPage(context.new_page(), site).open(wait_ready=False)
    checker.page.evaluate("(name) => caches.delete(name)", KEPT_IN)
    checker.page.reload()
    checker.wait_ready()
    assert "acme" in checker.check(team="acme")
    assert any(response.url.endswith(RUNTIME + ".gz") for response in responses)
    # ...and the download is kept again for the visit after.
    checker.until(RUNTIME_IS_KEPT, RUNTIME)


def test_a_new_version_of_the_site_throws_away_the_old_runtime(browser: Any, site: str) -> None:
    with audited_context(browser, site) as context:
        checker = CheckerPage(context.new_page(), site).open(wait_ready=False)
        # What an earlier version of the site would have left behind.
        checker.page.evaluate("() => caches.open('pyodide-0.0.1')")
        checker.wait_ready()
        checker.until("() => navigator.serviceWorker.controller !== null")
        checker.until("(kept) => caches.keys().then((names) => names.join() === kept)", KEPT_IN)


# Put before worker.js by the test below: records when the runtime's hash is done and when
# Pyodide's compile gets the runtime's response (the copy sw.js serves has its address). The
# hash takes 1.5 s longer, as on a slow device, so that a race between the two shows.
ORDER = """
self.__order = [];
{
  const digest = crypto.subtle.digest.bind(crypto.subtle);
  crypto.subtle.digest = async (...args) => {
    const hashed = await digest(...args);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    self.__order.push("hashed");
    return hashed;
  };
  const instantiate = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = (source, ...rest) =>
    instantiate(
      Promise.resolve(source).then((response) => {
        self.__order.push(response.url ? "handed the copy" : "handed a download");
        return response;
      }),
      ...rest,
    );
}
"""


@pytest.fixture
def instrumented(dist: Path, tmp_path: Path) -> Iterator[str]:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    worker = copy / "static" / "worker.js"
    worker.write_text(ORDER + worker.read_text())
    with served_copy(copy) as url:
        yield url


def test_the_kept_runtime_is_hashed_in_full_before_pyodide_gets_a_byte(
    browser: Any, instrumented: str, netlify: FakeNetlify
) -> None:
    with audited_context(browser, instrumented) as context:
        first = CheckerPage(context.new_page(), instrumented).open()
        first.until("() => navigator.serviceWorker.controller !== null")
        first.until(RUNTIME_IS_KEPT, RUNTIME)
        assert first.page.workers[0].evaluate("self.__order") == ["handed a download"]
        first.page.close()
        checker = CheckerPage(context.new_page(), instrumented).open()
        detail = "() => performance.getEntriesByName('python-ready').at(-1).detail.runtime"
        assert checker.page.evaluate(detail) == "kept"
        [worker] = checker.page.workers
        assert worker.evaluate("self.__order") == ["hashed", "handed the copy"]


def replace_kept_runtime(page: Any, make: str) -> None:
    """Put other bytes in the kept runtime's place; `make` turns the kept bytes into them."""
    page.evaluate(
        f"""async ([name, url]) => {{
             const cache = await caches.open(name);
             const kept = new Uint8Array(await (await cache.match(url)).arrayBuffer());
             const headers = {{ "Content-Type": "application/wasm" }};
             await cache.put(url, new Response(({make})(kept), {{ headers }}));
           }}""",
        [KEPT_IN, RUNTIME],
    )


def test_an_altered_copy_that_would_still_run_is_never_used(
    returning: tuple[Any, list[Any]], site: str, netlify: FakeNetlify
) -> None:
    """One byte changed near the end, in data the runtime would happily load: the hash sees it."""
    context, responses = returning
    checker = CheckerPage(context.new_page(), site).open(wait_ready=False)
    replace_kept_runtime(
        checker.page, "(bytes) => { bytes[bytes.length - 8] ^= 0x01; return bytes; }"
    )
    responses.clear()
    checker.page.reload()
    checker.wait_ready()
    detail = "() => performance.getEntriesByName('python-ready').at(-1).detail.runtime"
    assert checker.page.evaluate(detail) == "downloaded"
    assert checker.alert.text_content() == ""
    assert "acme" in checker.check(team="acme")
    assert any(response.url.endswith(RUNTIME + ".gz") for response in responses)


def test_a_damaged_copy_is_thrown_away_and_python_loads_anyway(
    returning: tuple[Any, list[Any]], site: str, netlify: FakeNetlify
) -> None:
    context, responses = returning
    checker = CheckerPage(context.new_page(), site).open(wait_ready=False)
    replace_kept_runtime(checker.page, "() => new Uint8Array(4096)")
    checker.page.reload()
    # Well within the 12 s after which the page would call a silent load stalled: the damaged
    # runtime fails at once, instead of leaving Pyodide waiting forever.
    checker.until("() => performance.getEntriesByName('python-ready').length > 0", None, 8_000)
    assert checker.alert.text_content() == ""
    assert "acme" in checker.check(team="acme")
    assert any(response.url.endswith(RUNTIME + ".gz") for response in responses)


def test_a_damaged_snapshot_costs_a_normal_start_not_a_failure(
    browser: Any, site: str, netlify: FakeNetlify
) -> None:
    with audited_context(browser, site) as context:
        first = CheckerPage(context.new_page(), site).open()
        first.until(f"() => ({SNAPSHOTS})().then((found) => found.length === 1)")
        [url] = first.page.evaluate(SNAPSHOTS)
        first.page.evaluate(
            "([name, url]) => caches.open(name).then((cache) =>"
            " cache.put(url, new Response(new Uint8Array(4096).fill(7))))",
            [KEPT_IN, url],
        )
        first.page.close()
        checker = CheckerPage(context.new_page(), site).open()
        assert (
            checker.page.evaluate(
                "() => performance.getEntriesByName('python-ready').at(-1).detail.restored"
            )
            is False
        )
        assert checker.alert.text_content() == ""
        assert "acme" in checker.check(team="acme")


# Rewrites every copy of `from` in the kept snapshot's bytes to `to`, of the same length.
REWRITE = """async ([name, url, from, to]) => {
  const cache = await caches.open(name);
  const bytes = new Uint8Array(await (await cache.match(url)).arrayBuffer());
  const [old, replaced] = [from, to].map((text) => new TextEncoder().encode(text));
  let count = 0;
  scan: for (let at = bytes.indexOf(old[0]); at !== -1; at = bytes.indexOf(old[0], at + 1)) {
    for (let i = 1; i < old.length; i++) if (bytes[at + i] !== old[i]) continue scan;
    bytes.set(replaced, at);
    count++;
  }
  await cache.put(url, new Response(bytes));
  return count;
}"""


def test_a_rewritten_snapshot_cannot_send_the_token_anywhere_but_netlify(
    browser: Any, site: str, netlify: FakeNetlify, site_log: list[str]
) -> None:
    """The red team's attack: a script of the site's own origin rewrites Netlify's address in
    the kept snapshot to one of the same length that the policy's 'self' allows. The worker's
    gate refuses the request, and the snapshot is thrown away."""
    api = "https://api.netlify.com/api/v1"
    stolen = (site.rstrip("/") + "/stolen").ljust(len(api), "x")
    with audited_context(browser, site) as context:
        first = CheckerPage(context.new_page(), site).open()
        first.until(f"() => ({SNAPSHOTS})().then((found) => found.length === 1)")
        [url] = first.page.evaluate(SNAPSHOTS)
        assert first.page.evaluate(REWRITE, [KEPT_IN, url, api, stolen]) >= 1
        first.page.close()
        checker = CheckerPage(context.new_page(), site).open()
        restored = "() => performance.getEntriesByName('python-ready').at(-1).detail.restored"
        assert checker.page.evaluate(restored) is True
        said = checker.fail(team="acme")
        assert said.startswith("The page stopped a request that its Python asked for")
        assert not [path for path in site_log if "/stolen" in path]
        assert netlify.api_requests() == []
        checker.until(f"() => ({SNAPSHOTS})().then((found) => found.length === 0)")
