"""Nothing the tests install is taken on trust: every package pinned by version and hash."""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent


def pinned() -> dict[str, str]:
    """Each package in requirements.txt with the text that pins it."""
    text = (HERE / "requirements.txt").read_text()
    blocks = re.split(r"\n(?=[A-Za-z])", text)
    return {block.split("==")[0].lower(): block for block in blocks if re.match(r"[A-Za-z]", block)}


def test_every_package_is_pinned_to_one_version_with_hashes() -> None:
    packages = pinned()
    assert len(packages) > 20  # the direct needs and everything they pull in
    for name, block in packages.items():
        assert re.match(rf"{re.escape(name)}==\S+ \\", block, re.IGNORECASE), name
        assert "--hash=sha256:" in block, f"{name} has no hash"


def test_the_pinned_file_is_compiled_from_the_current_list() -> None:
    packages = pinned()
    for line in (HERE / "requirements.in").read_text().splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            name, version = requirement.split("==")
            assert f"{name.lower()}=={version}" in packages[name.lower()].lower(), requirement
