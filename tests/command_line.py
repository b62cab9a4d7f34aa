"""`python3 app.py` run as a real process against the fake API, for the command line's tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_netlify import TOKEN, FakeNetlify

CREDITS = "/accounts/credits-co/bandwidth"


def environment_for(netlify: FakeNetlify, ca_file: Path, **env: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "NETLIFY_API_URL": netlify.url,
        "SSL_CERT_FILE": str(ca_file),
        **env,
    }


def run(
    netlify: FakeNetlify,
    ca_file: Path,
    *args: str,
    token: str | None = TOKEN,
    extras: bool = False,
    **env: str,
) -> subprocess.CompletedProcess[str]:
    """The command line, as installed without extras: -S, no site-packages, proving it needs
    nothing beyond Python itself. `extras`: with site-packages, where Apprise is installed."""
    environment = environment_for(netlify, ca_file, **env)
    if token is not None:
        environment["NETLIFY_AUTH_TOKEN"] = token
    flags = [] if extras else ["-S"]
    return subprocess.run(
        [sys.executable, *flags, str(ROOT / "app.py"), *args],
        capture_output=True,
        text=True,
        env=environment,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
