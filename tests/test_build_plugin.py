"""The Netlify Build plugin, run by Netlify's own build runner (`@netlify/build`, pinned in
tests/netlify_build/) in throwaway sites that install it from `npm pack` of this repository, as
a user would, against the fake Netlify API. Skipped, saying why, where npm cannot reach its
registry."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import netlify_build
from tests.fake_netlify import TEAMS, TOKEN, FakeNetlify, Reply, error, with_cycle

CREDITS = "/accounts/credits-co/bandwidth"
[CREDIT_TEAM] = [team for team in TEAMS if team["slug"] == "credits-co"]


@pytest.fixture(scope="module")
def runner() -> Path:
    try:
        return netlify_build.runner()
    except netlify_build.Unreachable as reason:
        pytest.skip(f"Netlify's build runner could not be installed: {reason}")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return netlify_build.pack(tmp_path_factory.mktemp("pack"))


@pytest.fixture
def make_site(tmp_path: Path, tarball: Path) -> Iterator[object]:
    made = iter(range(100))

    def make(inputs: dict[str, object] | None = None) -> Path:
        return netlify_build.site(tmp_path / f"site{next(made)}", tarball, inputs)

    yield make


def environment(netlify: FakeNetlify, ca_file: Path, **more: str) -> dict[str, str]:
    return {
        "NETLIFY_AUTH_TOKEN": TOKEN,
        "NETLIFY_API_URL": netlify.url,
        "SSL_CERT_FILE": str(ca_file),
        **more,
    }


def built(runner: Path, folder: Path, netlify: FakeNetlify, ca_file: Path, **options: object):
    env = options.pop("env", None) or environment(netlify, ca_file)
    done = netlify_build.build(runner, folder, env=env, **options)  # type: ignore[arg-type]
    assert TOKEN not in done.log  # the token, never in a deploy's log
    return done


def test_a_free_team_with_room_deploys_and_its_summary_says_what_is_left(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    done = built(runner, make_site(), netlify, ca_file)
    assert done.completed, done.log
    said = (
        "at least 165 of 300 credits spent (55 %), about 9 more production deploys before the "
        "credits run out"
    )
    # In the log, and in the deploy's summary (utils.status.show), which the runner prints.
    assert f"netlify-bandwidth-checker: {said}." in done.log
    assert "\u276f netlify-bandwidth-checker: Credits" in done.log  # the runner's heading
    # The site's own team, found from the build's SITE_ID; no other team is asked about.
    paths = [seen.path.split("?")[0] for seen in netlify.api_requests()]
    assert paths[0] == "/api/v1/sites/site-blog"
    assert {path for path in paths if path.startswith("/api/v1/accounts")} == {
        "/api/v1/accounts/credits-co",
        CREDITS.join(["/api/v1", ""]),
    }


def test_a_threshold_reached_stops_the_deploy(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    done = built(runner, make_site({"threshold": 50}), netlify, ca_file)
    assert done.stopped, done.log
    assert "Build canceled" not in done.log  # failed, so that deploy notifications hear of it
    assert (
        "netlify-bandwidth-checker stopped this production deploy before it cost anything: the "
        "team “credits-co” has used 55 % of its month's credits, at or above this guard's "
        "threshold of 50 %." in done.log
    )
    assert "The Free plan cannot buy credits: upgrade on https://app.netlify.com/teams/" in done.log


def test_a_team_with_fewer_credits_left_than_a_deploy_costs_is_stopped(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    # 10.75 GB is 215 credits, and five deploys 75: 290 of 300, 10 left.
    figures = {"used": 10_750_000_000, "included": 0, "additional": 0}
    netlify.override(CREDITS, Reply(200, figures), repeat=True)
    done = built(runner, make_site({"threshold": 100}), netlify, ca_file)
    assert done.stopped, done.log
    assert "only 10 of the team's 300 credits are left, fewer than the 15 this production" in (
        done.log
    )
    assert "Netlify would pause every site of the team" in done.log


def test_a_team_netlify_reports_over_is_stopped(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    over = with_cycle({**CREDIT_TEAM, "lifecycle_state": "paused"})
    netlify.override("/accounts/credits-co", Reply(200, over), repeat=True)
    done = built(runner, make_site(), netlify, ca_file)
    assert done.stopped, done.log
    assert "Netlify reports the team “credits-co” over" in done.log


def test_a_deploy_preview_is_left_alone_without_a_request(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    folder = make_site({"threshold": 1})
    for context in ("deploy-preview", "branch-deploy"):
        done = built(runner, folder, netlify, ca_file, context=context)
        assert done.completed, done.log
        assert "netlify-bandwidth-checker:" not in done.log
    assert netlify.api_requests() == []


def test_without_a_token_the_build_goes_ahead_with_the_hint(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    env = {k: v for k, v in environment(netlify, ca_file).items() if k != "NETLIFY_AUTH_TOKEN"}
    done = built(runner, make_site(), netlify, ca_file, env=env)
    assert done.completed, done.log
    assert "netlify-bandwidth-checker: off. To stop a production deploy" in done.log
    assert "set the environment variable NETLIFY_AUTH_TOKEN" in done.log
    assert netlify.api_requests() == []


def test_a_legacy_team_deploys_and_the_threshold_applies_only_when_set(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    done = built(runner, make_site({"team": "side-projects"}), netlify, ca_file)
    assert done.completed, done.log  # 130 of 100 GiB, but no threshold was set
    assert "netlify-bandwidth-checker: 130 GiB of 100 GiB used (130 %)." in done.log
    assert [seen.path for seen in netlify.api_requests()][:1] != ["/api/v1/sites/site-blog"]
    done = built(runner, make_site({"team": "side-projects", "threshold": 80}), netlify, ca_file)
    assert done.stopped, done.log
    assert "has used 130 % of its bandwidth allowance, at or above" in done.log


def test_an_unknown_count_deploys_loudly_and_stops_when_told_to_be_cautious(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override("/sites/site-docs/deploys", error(500, "boom"), repeat=True)
    done = built(runner, make_site(), netlify, ca_file)
    assert done.completed, done.log
    assert (
        "netlify-bandwidth-checker: ⚠ NOT GUARDED: whether this deploy is safe could not be "
        "told: the production deploys of 1 of its sites could not be read. It goes ahead "
        "unguarded." in done.log
    )
    done = built(runner, make_site({"stopOnUnknown": True}), netlify, ca_file)
    assert done.stopped, done.log
    assert "could not be read), and this guard stops then." in done.log
    assert "set stopOnUnknown to false" in done.log


def test_a_team_that_cannot_be_checked_is_unknown_never_fine(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override(CREDITS, Reply(200, "<html>Bad gateway</html>"), repeat=True)
    done = built(runner, make_site(), netlify, ca_file)
    assert done.completed, done.log
    assert "⚠ NOT GUARDED" in done.log and "web page instead of figures" in done.log
    netlify.override("/sites/site-blog", error(404, "Not Found"))
    done = built(runner, make_site(), netlify, ca_file)
    assert "⚠ NOT GUARDED" in done.log and "cannot see the site being built" in done.log


def test_a_stalled_netlify_never_holds_the_build(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    netlify.override(CREDITS, Reply(stall=True), repeat=True)
    done = built(runner, make_site(), netlify, ca_file)
    assert done.completed, done.log
    assert "⚠ NOT GUARDED" in done.log and "did not answer within 20 seconds" in done.log


def path_with(folder: Path, python3: str | None) -> str:
    """A PATH of one folder: the node that runs the build, a shell, and a python3 that runs
    `python3` (a shell script) or none. The runner puts node's own folder first on the PATH
    its plugins see, so node is linked here, not found where Python is installed beside it."""
    folder.mkdir()
    node = Path(os.path.realpath(shutil.which("node") or "node"))
    try:
        os.link(node, folder / "node")
    except OSError:  # another file system
        shutil.copy2(node, folder / "node")
    (folder / "sh").symlink_to(shutil.which("sh") or "/bin/sh")
    if python3 is not None:
        fake = folder / "python3"
        fake.write_text(f"#!/bin/sh\n{python3}\n")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return str(folder)


@pytest.mark.parametrize(
    ("python3", "said"),
    [
        ('echo "3 8"', "the build's python3 is 3.8; the check needs 3.11 or newer"),
        ("exit 127", "the build's python3 is one that did not say its version; the check needs"),
        (None, "no python3 was found on this build's PATH, and the check needs Python"),
    ],
)
def test_an_old_missing_or_broken_python_says_so_and_the_build_goes_ahead(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path, tmp_path: Path, python3, said
) -> None:
    env = {**environment(netlify, ca_file), "PATH": path_with(tmp_path / "bin", python3)}
    done = built(runner, make_site(), netlify, ca_file, env=env)
    assert done.completed, done.log
    assert f"⚠ NOT GUARDED: whether this deploy is safe could not be told: {said}" in done.log
    assert netlify.api_requests() == []


def test_the_package_holds_the_plugin_and_the_python_it_runs_and_nothing_else(
    tmp_path: Path,
) -> None:
    files = netlify_build.packed_files(tmp_path)
    assert {"manifest.yml", "package.json", "plugin/index.mjs", "app.py"} <= set(files)
    assert "checker/outputs/deploy_gate.py" in files
    strays = [
        f for f in files if not f.startswith("checker/") and "/" in f and f != "plugin/index.mjs"
    ]
    assert strays == []
    assert not [f for f in files if f.startswith(("tests/", "static/", "publish/", "dist/"))]
    assert not [f for f in files if "__pycache__" in f or f.endswith(".pyc")]
    manifest = json.loads((netlify_build.ROOT / "package.json").read_text())
    from checker import __version__

    assert manifest["version"] == __version__


def test_an_input_the_checker_refuses_is_said_and_never_taken_as_fine(
    runner: Path, make_site, netlify: FakeNetlify, ca_file: Path
) -> None:
    done = built(runner, make_site({"threshold": "eighty"}), netlify, ca_file)
    assert done.completed, done.log
    assert "argument --fail-over: invalid float value: 'eighty'" in done.log
    assert "⚠ NOT GUARDED: whether this deploy is safe could not be told: the checker did not" in (
        done.log
    )
    done = built(runner, make_site({"threshold": 5000, "stopOnUnknown": True}), netlify, ca_file)
    assert done.stopped, done.log
    assert "--fail-over takes a percentage from 0 to 1000" in done.log
    assert netlify.api_requests() == []
