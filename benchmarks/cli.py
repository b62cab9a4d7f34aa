"""Whole-process time of `python3 app.py --json --team acme` against the seed article's script.

    .venv/bin/python benchmarks/cli.py [--runs N]

Both run as fresh processes of the same Python against the same local fake Netlify API over
HTTPS, alternating, and the table gives medians and their ratio. The seed's script is the one
from the article (it needs `requests`), with only its four settings filled in and its URL
pointed at the fake.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trustme  # noqa: E402

from tests.fake_netlify import TOKEN, FakeNetlify  # noqa: E402

# The seed article's script, as published, with its settings filled in.
SEED_SCRIPT = """
import requests

# Edit these
ACCOUNT_NAME = 'acme'
SITE_NAME = 'projectsitename'
EMAIL = 'name@example.com'
PERSONAL_ACCESS_TOKEN = "{token}"

# Leave the rest
bandwidth_api_url = '{base}/accounts/{{}}/bandwidth'.format(ACCOUNT_NAME)

auth_string = "Bearer " + PERSONAL_ACCESS_TOKEN

response = requests.get(bandwidth_api_url, headers = {{
    'User-Agent': '{{0}} ({{1}})'.format(SITE_NAME, EMAIL),
    "Authorization": auth_string
}})
response = response.json()

# Optional printing to console. Can be removed
print('Raw response: ', response)

def calculate(key):
    return int(response[key]) / 1000000

print_list = {{
    "Included in plan": calculate("included"),
    "Used": calculate("used"),
    "Remaining":  calculate("included") - calculate("used"),
}}
print('Human readable:')
for item in print_list.items():
    print(item[0], ': ', round(item[1], 2), ' MB')
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{command} failed:\n{result.stderr}")
    return elapsed * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ca = trustme.CA()
    netlify = FakeNetlify(ca)
    with tempfile.TemporaryDirectory() as work:
        ca_file = Path(work) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        seed = Path(work) / "seed.py"
        seed.write_text(SEED_SCRIPT.format(token=TOKEN, base=netlify.url))
        env = {
            "PATH": os.environ.get("PATH", ""),
            "NETLIFY_AUTH_TOKEN": TOKEN,
            "NETLIFY_API_URL": netlify.url,
            "SSL_CERT_FILE": str(ca_file),
            "REQUESTS_CA_BUNDLE": str(ca_file),
        }
        ours_command = [sys.executable, str(ROOT / "app.py"), "--json", "--team", "acme"]
        seed_command = [sys.executable, str(seed)]
        ours, seeds = [], []
        timed(ours_command, env), timed(seed_command, env)  # warm the disk cache, not counted
        for run in range(args.runs):
            pair = [(ours, ours_command), (seeds, seed_command)]
            for times, command in pair if run % 2 == 0 else reversed(pair):
                times.append(timed(command, env))
    netlify.close()
    ours_ms, seed_ms = statistics.median(ours), statistics.median(seeds)
    print(f"\nMedians of {args.runs} alternating runs, whole process, same Python:\n")
    print("| command | median | ratio to the seed's script |")
    print("|---|---|---|")
    print(f"| python3 app.py --json --team acme | {ours_ms:.0f} ms | {ours_ms / seed_ms:.2f} |")
    print(f"| the seed's requests script | {seed_ms:.0f} ms | 1.00 |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
