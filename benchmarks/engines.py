"""Ready and first-check speed in each engine, against baselines in that same engine.

    .venv/bin/python benchmarks/engines.py [--trials N] [--engines chromium,firefox,webkit]
        [--dist DIR]

For each engine, trials alternate three kinds, each in a fresh browser (a cold profile):

1. the floor: a bare `loadPyodide()` of the stock npm package in a module worker;
2. our page: navigation start to `python-ready`, then, 1.5 s later as a person pasting a token,
   one check: `check-submitted` to `result-shown`; and the start's stages, as the page marks
   them (`python-start`, the worker's `python:<stage>` marks, `python-ready`);
3. a plain `fetch()` page doing the same check, the seed article's way.

Firefox and WebKit reach the fake API through the tests' CONNECT proxy, Chromium by its resolver
rules, so each engine's two pages pay the same for it. benchmarks/startup.py has Chromium's
fuller story (bytes, long tasks, revisits).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402
from benchmarks.stages import MARKS, reached, table  # noqa: E402
from benchmarks.startup import IDLE_BEFORE_CHECK_MS, stage  # noqa: E402
from publish.serve import make_server  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, chromium_executable  # noqa: E402
from tests.connect_proxy import ConnectProxy  # noqa: E402
from tests.engines import ENGINES, Driver, launch, missing  # noqa: E402
from tests.fake_netlify import BANDWIDTH, TOKEN, FakeNetlify, Reply, bandwidth_figures  # noqa: E402

TARGET = 0.4


def mark(driver: Driver, name: str, timeout_s: float = 120) -> float:
    deadline = time.monotonic() + timeout_s
    while True:
        found = driver.js(
            "const [entry] = performance.getEntriesByName(arguments[0]);"
            " return entry ? entry.startTime : null;",
            name,
        )
        if found is not None:
            return float(found)
        if time.monotonic() > deadline:
            shown = driver.js(
                "return ['#status', '#alert', '#failure code'].map("
                " (s) => document.querySelector(s)?.textContent)"
            )
            raise TimeoutError(f"{driver.name}: no {name} mark after {timeout_s} s: {shown}")
        time.sleep(0.02)


def checked(driver: Driver) -> float:
    """Milliseconds from the press to the result, as the page measures them."""
    mark(driver, "result-shown", 30)
    return float(
        driver.js(
            "const at = (n) => performance.getEntriesByName(n).at(-1).startTime;"
            " return at('result-shown') - at('check-submitted');"
        )
    )


class EngineBench:
    def __init__(
        self, engine: str, url: str, proxy: ConnectProxy, playwright: Any, chromium: str | None
    ) -> None:
        self.engine = engine
        self.chromium = chromium
        self.url = url
        self.proxy = proxy
        self.playwright = playwright
        # Each trial's stages of the start: milliseconds from navigation to each mark.
        self.stages: list[dict[str, float]] = []

    def fresh(self, stack: ExitStack) -> Driver:
        context = None
        if self.engine == "chromium":
            browser = self.playwright.chromium.launch(
                executable_path=self.chromium,
                args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP api.netlify.com {self.api}"],
                chromium_sandbox=False,
            )
            stack.callback(browser.close)
            context = browser.new_context(ignore_https_errors=True)
        driver = launch(self.engine, proxy_port=self.proxy.port, chromium=context)
        stack.callback(driver.quit)
        return driver

    @property
    def api(self) -> str:
        return f"127.0.0.1:{self.proxy.routes['api.netlify.com']}"

    def floor(self) -> float:
        with ExitStack() as stack:
            driver = self.fresh(stack)
            driver.goto(self.url + "bench/floor.html")
            return mark(driver, "python-ready")

    def ours(self) -> tuple[float, float]:
        with ExitStack() as stack:
            driver = self.fresh(stack)
            driver.goto(self.url)
            ready = mark(driver, "python-ready")
            mark(driver, "python:session-made")  # marked when the warm-up's first round ends
            self.stages.append(reached(driver.js(f"return {MARKS}")))
            driver.fill("#token", TOKEN)
            driver.fill("#team", "acme")
            time.sleep(IDLE_BEFORE_CHECK_MS / 1000)
            driver.click("#submit")
            return ready, checked(driver)

    def plain_fetch(self) -> float:
        with ExitStack() as stack:
            driver = self.fresh(stack)
            driver.goto(self.url + "bench/fetch.html")
            driver.fill("#token", TOKEN)
            time.sleep(IDLE_BEFORE_CHECK_MS / 1000)
            driver.click("#go")
            return checked(driver)


def measure(
    bench: EngineBench, trials: int
) -> tuple[list[float], list[tuple[float, float]], list[float]]:
    """The floor's ready, ours (ready, first check), and plain fetch()'s check, per trial."""
    floors: list[float] = []
    ours: list[tuple[float, float]] = []
    fetches: list[float] = []
    kinds: list[Callable[[], None]] = [
        lambda: floors.append(bench.floor()),
        lambda: ours.append(bench.ours()),
        lambda: fetches.append(bench.plain_fetch()),
    ]
    bench.floor()  # one warm-up of the browser's files and the server, not counted
    for trial in range(trials):
        for index in range(len(kinds)):
            kinds[(trial + index) % len(kinds)]()
        print(f"{bench.engine}: trial {trial + 1}/{trials} done", file=sys.stderr)
    return floors, ours, fetches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument(
        "--dist",
        type=Path,
        help="measure this built site (a copy is served) instead of building dist/ afresh",
    )
    args = parser.parse_args()
    import trustme
    from playwright.sync_api import sync_playwright

    engines = [engine for engine in args.engines.split(",") if engine]
    for engine in engines:
        if missing(engine):
            parser.error(f"{engine}: {missing(engine)}")
    dist = args.dist or build.build()
    chromium = chromium_executable() if "chromium" in engines else None
    rows = []
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        # stage() makes the site's folder itself: one inside the temporary one.
        site = stage(dist, Path(work) / "site")
        server = make_server(0, site)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        netlify = FakeNetlify(trustme.CA())
        netlify.override(BANDWIDTH, Reply(200, bandwidth_figures("acme") or {}), repeat=True)
        proxy = ConnectProxy({"api.netlify.com": netlify.port})
        url = f"http://127.0.0.1:{server.server_port}/"
        for engine in engines:
            bench = EngineBench(engine, url, proxy, playwright, chromium)
            rows.append((bench, *measure(bench, args.trials)))
        proxy.close()
        netlify.close()
        server.shutdown()
    print(f"\nMedians of {args.trials} alternating trials, a fresh browser each:\n")
    print(
        "| engine | ready: ours / bare loadPyodide | ratio | target | first check:"
        " ours / plain fetch() | ratio | target |"
    )
    print("|---|---|---|---|---|---|---|")
    for bench, floors, ours, fetches in rows:
        floor = statistics.median(floors)
        ready = statistics.median(run[0] for run in ours)
        check = statistics.median(run[1] for run in ours)
        fetch = statistics.median(fetches)
        print(
            f"| {bench.engine} | {ready:.0f} / {floor:.0f} ms | {ready / floor:.2f} |"
            f" <= {TARGET} | {check:.1f} / {fetch:.1f} ms | {check / fetch:.2f} | <= 1.2 |"
        )
    print("\nThe start, stage by stage: median ms from navigation to each mark.\n")
    print("\n".join(table({bench.engine: bench.stages for bench, *_ in rows})))
    return 0


if __name__ == "__main__":
    sys.exit(main())
