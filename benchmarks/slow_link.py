"""How many round trips to Netlify a check costs, on the page and on the command line.

    .venv/bin/python benchmarks/slow_link.py [--delay 0.15] [--trials 3] [--before COMMIT]

Loopback hides round trips: there one costs nothing. Here the fake Netlify API holds every
answer, CORS preflights included, for `--delay` seconds, as a link that far from Netlify would.
Each check is timed on loopback and over that link; the difference over the delay is the number
of round trips the reader waits for. Two cases: one team named by slug (its figures and its
details), and a token that sees six teams (the team list, then every team's figures).

The page is timed from pressing Check bandwidth to the result drawn (its marks `check-submitted`
and `result-shown`), each check in a fresh browser context, so that no preflight is cached. The
command line is timed as a whole process. With `--before COMMIT`, the same is measured of that
commit (built in a temporary git worktree) in the same run, side by side: the one-at-a-time
checker before issue 22 is 694a8af.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.before import checkout  # noqa: E402
from checker.netlify import samples  # noqa: E402
from publish.serve import make_server  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, chromium_executable  # noqa: E402
from tests.fake_netlify import TOKEN, FakeNetlify  # noqa: E402

# Three more teams than the fake's own three: six in all.
MORE_TEAMS = [samples.account(f"team-{n}", f"Team {n}", "Pro") for n in range(3)]
CASES = {"one named team": "acme", "six teams": ""}
# After Python is ready, as long as a person takes to paste a token: the warm-up is over.
IDLE_BEFORE_CHECK_MS = 1500


class Version:
    """A checkout of the checker: its built site, served, and its command line."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root
        subprocess.run([sys.executable, "build.py"], cwd=root, check=True, capture_output=True)
        self.server = make_server(0, root / "dist")
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def page_check(self, browser: Any, team: str) -> float:
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        page.goto(self.url)
        page.wait_for_function(
            "() => performance.getEntriesByName('python-ready').length > 0", timeout=60_000
        )
        page.wait_for_timeout(IDLE_BEFORE_CHECK_MS)
        page.get_by_label("Personal access token").fill(TOKEN)
        page.get_by_label("Team slug").fill(team)
        page.get_by_role("button", name="Check bandwidth").click()
        page.wait_for_function(
            "() => performance.getEntriesByName('result-shown').length > 0",
            timeout=60_000,
            polling=10,
        )
        took = page.evaluate(
            """() => performance.getEntriesByName("result-shown")[0].startTime
                   - performance.getEntriesByName("check-submitted")[0].startTime"""
        )
        context.close()
        return float(took)

    def cli_check(self, env: dict[str, str], team: str) -> float:
        command = [sys.executable, str(self.root / "app.py"), "--json"]
        if team:
            command += ["--team", team]
        start = time.perf_counter()
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        took = (time.perf_counter() - start) * 1000
        if result.returncode not in (0, 3):
            raise SystemExit(f"{command} failed:\n{result.stderr}")
        return took

    def close(self) -> None:
        self.server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delay", type=float, default=0.15, help="seconds; default 0.15")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--before", metavar="COMMIT", help="also measure this commit")
    args = parser.parse_args()
    import trustme
    from playwright.sync_api import sync_playwright

    ca = trustme.CA()
    netlify = FakeNetlify(ca)
    netlify.more_teams = MORE_TEAMS
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        ca_file = folder / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "NETLIFY_AUTH_TOKEN": TOKEN,
            "NETLIFY_API_URL": netlify.url,
            "SSL_CERT_FILE": str(ca_file),
        }
        roots = [("now", ROOT)]
        stack = ExitStack()
        if args.before:
            before = stack.enter_context(checkout(args.before, folder))
            roots.append((f"before ({args.before})", before))
        versions = [Version(name, root) for name, root in roots]
        # times[(version, where, case, delay)] = milliseconds of each trial
        times: dict[tuple[str, str, str, float], list[float]] = {}
        executable = chromium_executable()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=executable,
                    args=[
                        *CHROMIUM_ARGS,
                        f"--host-resolver-rules=MAP api.netlify.com 127.0.0.1:{netlify.port}",
                    ],
                    chromium_sandbox=False,
                )
                versions[0].page_check(browser, "acme")  # warms the browser, not counted
                for trial in range(args.trials):
                    for delay in (0.0, args.delay):
                        netlify.delay = delay
                        for version in versions:
                            for case, team in CASES.items():
                                runs = {
                                    "page": version.page_check(browser, team),
                                    "command line": version.cli_check(env, team),
                                }
                                for where, took in runs.items():
                                    key = (version.name, where, case, delay)
                                    times.setdefault(key, []).append(took)
                    print(f"trial {trial + 1}/{args.trials} done", file=sys.stderr)
                browser.close()
        finally:
            for version in versions:
                version.close()
            netlify.close()
            stack.close()
    print_table(times, versions, args.delay, args.trials)
    return 0


def print_table(
    times: dict[tuple[str, str, str, float], list[float]],
    versions: list[Version],
    delay: float,
    trials: int,
) -> None:
    print(
        f"\nMedians of {trials} trials; every answer {delay * 1000:.0f} ms late on the slow link. "
        "Round trips: (slow-link time - loopback time) / delay.\n"
    )
    print("| version | where | case | loopback | slow link | round trips |")
    print("|---|---|---|---|---|---|")
    for version in versions:
        for where in ("page", "command line"):
            for case in CASES:
                fast = statistics.median(times[(version.name, where, case, 0.0)])
                slow = statistics.median(times[(version.name, where, case, delay)])
                trips = (slow - fast) / (delay * 1000)
                print(
                    f"| {version.name} | {where} | {case} | {fast:.0f} ms | {slow:.0f} ms "
                    f"| {trips:.1f} |"
                )


if __name__ == "__main__":
    sys.exit(main())
