"""The page in a real Chromium, against the built dist/ and the fake Netlify API over HTTPS: what a
person sees when a check works, for each kind of plan, and how it looks.

Most checks share one page (the `checker` fixture: Python loads once per module, as it does for
a person checking several times); tests about loading or the worker get a page of their own.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from build import PYODIDE_VERSION
from checker.netlify import samples
from checker.netlify.check import CAP
from tests.checker_page import CheckerPage
from tests.conftest import ARTIFACTS
from tests.fake_netlify import (
    BANDWIDTH,
    TEAMS,
    TOKEN,
    FakeNetlify,
    Reply,
    bandwidth_figures,
    error,
    rate_limit_reset_in,
)

# --- what a person sees when it works -----------------------------------------------------------


def test_a_check_shows_used_included_remaining_in_gib(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    text = checker.check(team="acme")
    assert "25.3 GiB of 100 GiB used (25.3 %)" in text
    assert "Remaining\n74.7 GiB" in text
    assert "Days left\n10" in text
    assert "12 minutes ago" in text
    assert "On track" in text
    meter = checker.page.locator("meter")
    assert meter.get_attribute("value") == "27167800363"
    assert meter.get_attribute("max") == "107374182400"
    [request] = netlify.bandwidth_requests()
    assert request.path == "/api/v1/accounts/acme/bandwidth"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert checker.alert.inner_text() == ""


def test_the_pace_warns_before_the_team_runs_over(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    figures = bandwidth_figures("acme")
    assert figures is not None
    netlify.override(BANDWIDTH, Reply(200, {**figures, "used": 80 * 1024**3}))
    text = checker.check()
    # 20 of 30 days gone, plus the hours since midnight in Netlify's time zone: 67 to 70 %.
    assert re.search(r"On course to run over: 80 % used with (6[6-9]|70)(\.\d)? % of the", text)
    assert re.search(r"about 1[12]\d GiB by the period's end", text)
    assert checker.page.locator(".pace.warning").count() == 1


@pytest.mark.parametrize("strict", [False, True], ids=["headers-exposed", "strict-cors"])
def test_refresh_says_when_netlify_has_nothing_newer(
    checker: CheckerPage, netlify: FakeNetlify, strict: bool
) -> None:
    netlify.expose_headers = True
    netlify.strict_cors = strict
    checker.check(team="side-projects")
    refresh = checker.page.get_by_role("button", name="Refresh")
    before = checker.marks("result-shown")
    refresh.click()
    checker.until("(n) => performance.getEntriesByName('result-shown').length > n", before)
    text = checker.results.inner_text()
    assert "Unchanged since the last check" in text
    assert "130 GiB of 100 GiB used" in text
    # Told by comparing Netlify's answer with the last one: the page adds no If-None-Match of
    # its own, which a strict preflight would refuse (whether the browser revalidates its
    # cached answer with Netlify's ETag is the browser's business).
    assert len(netlify.bandwidth_requests()) == 2


@pytest.mark.parametrize("strict", [False, True], ids=["lenient-cors", "strict-cors"])
def test_every_team_and_a_rate_limit_under_either_cors_answer(
    checker: CheckerPage, netlify: FakeNetlify, strict: bool
) -> None:
    netlify.strict_cors = strict
    assert "130 GiB of 100 GiB used" in checker.check(team="")
    # The reset is hidden from the page (no header exposed): Netlify's minute is waited, and
    # counted down; Forget token stops it.
    netlify.override(BANDWIDTH, Reply(429, {"code": 429}, rate_limit_reset_in(60)))
    checker.submit(team="acme")
    said = checker.until(
        "() => document.querySelector('[role=status]').textContent.match("
        "/rate limit was reached\\. Asking again in (59|60) s \\(wait 1 of 3\\)/)?.[0]"
    )
    assert said
    checker.page.get_by_role("button", name="Forget token").click()
    checker.wait_ready_again()
    assert "25.3 GiB" in checker.check(team="acme")


def test_units_switch_to_decimal_without_asking_again(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.check(team="acme")
    checker.page.get_by_label("GB", exact=True).check()
    assert "27.2 GB of 107 GB used" in checker.results.inner_text()
    assert len(netlify.bandwidth_requests()) == 1


def test_an_empty_slug_checks_every_team(checker: CheckerPage, netlify: FakeNetlify) -> None:
    text = checker.check(team="")
    for team in TEAMS:
        assert team["name"] in text
    assert "Over by\n30 GiB" in text
    assert "Over the allowance by 30 GiB." in text
    assert "165 of 300 credits spent (55 %)" in text
    assert "NaN" not in text and "Infinity" not in text
    assert (
        checker.page.get_by_role("status").inner_text() == "Checked 3 teams: 1 over the allowance."
    )
    assert "Sites\n12 of 500" in text
    assert "Build minutes\n4,100 of 25,000" in text
    # A credit plan's "credits used: 0" is Netlify's blind spot, never shown as a real zero.
    assert "Monthly credits\n300" in text and "Credits\n" not in text
    assert checker.page.locator("meter").count() == 3


def test_each_teams_card_is_drawn_as_its_answer_comes(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.hold("/accounts/side-projects/bandwidth")
    before = checker.marks("result-shown")
    checker.submit(team="")
    status = "() => document.querySelector('[role=status]').textContent"
    checker.until(f"{status} === '2 of 3 teams have answered…'")
    cards = checker.results.locator("article")
    # In the list's order, the slow team's card waiting in its place.
    assert cards.count() == 3
    assert "25.3 GiB of 100 GiB used" in cards.nth(0).inner_text()
    assert cards.nth(1).inner_text().endswith("Asking Netlify…")
    assert "of 300 credits spent" in cards.nth(2).inner_text()
    netlify.release.set()
    checker.wait_result(before)
    assert checker.page.evaluate(status) == "Checked 3 teams: 1 over the allowance."
    assert "130 GiB of 100 GiB used" in cards.nth(1).inner_text()


def test_a_token_with_more_teams_than_the_cap_gets_them_all_six_at_a_time(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.more_teams = [samples.account(f"team-{n}", f"Team {n}", "Pro") for n in range(7)]
    # Slow answers, so that the requests overlap at the fake as they would at Netlify.
    netlify.delay = 0.2
    checker.check(team="")
    headings = checker.results.locator("article h2").all_inner_texts()
    assert headings == [str(team["name"]) for team in TEAMS + netlify.more_teams]
    assert 1 < netlify.most_in_flight <= CAP
    status = checker.page.get_by_role("status").inner_text()
    assert status == "Checked 10 teams: 1 over the allowance."


def test_a_rate_limit_too_long_to_wait_for_part_way_through_every_team_ends_the_check(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.expose_headers = True
    netlify.override(
        "/accounts/credits-co/bandwidth", Reply(429, {"code": 429}, rate_limit_reset_in(3600))
    )
    assert "Try again in 60 minutes" in checker.fail(team="")
    assert checker.results.inner_text() == ""


def test_a_rate_limit_part_way_through_every_team_is_counted_down_then_waited_out(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    # The second security review: the page ended its check at the first 429, where the command
    # line waited. Now both wait, within the same bounds.
    netlify.expose_headers = True
    netlify.override(
        "/accounts/credits-co/bandwidth", Reply(429, {"code": 429}, rate_limit_reset_in(2))
    )
    before = checker.marks("result-shown")
    checker.submit(team="")
    checker.until(
        "() => /rate limit was reached\\. Asking again in \\d s \\(wait 1 of 3\\)/"
        ".test(document.querySelector('[role=status]').textContent)"
    )
    checker.wait_result(before)
    assert "165 of 300 credits spent" in checker.results.inner_text()
    assert checker.alert.inner_text() == ""
    figures = [r for r in netlify.bandwidth_requests() if "credits-co" in r.path]
    assert len(figures) == 2


@pytest.mark.parametrize(
    "pasted",
    [f"  {TOKEN}\n", f"Bearer {TOKEN}", f"\n\tbearer  {TOKEN}  \r\n", f'"{TOKEN}"'],
)
def test_a_messy_paste_is_cleaned(checker: CheckerPage, netlify: FakeNetlify, pasted: str) -> None:
    checker.check(token=pasted)
    [request] = netlify.bandwidth_requests()
    assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_names_from_the_api_are_text_never_markup(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    netlify.override("/accounts", Reply(200, [{**TEAMS[0], "name": hostile, "type_name": hostile}]))
    dialogs: list[str] = []
    checker.page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    text = checker.check(team="")
    assert hostile in text
    assert checker.page.locator("#results img").count() == 0
    assert dialogs == []


def test_a_team_named_by_slug_comes_with_its_name_plan_and_quotas(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    text = checker.check(team="acme")
    assert text.startswith("Acme Web\n\nPro · acme")
    assert "Other quotas" in text and "12 of 500" in text
    assert checker.page.get_by_role("status").inner_text().startswith("Acme Web: 25.3 GiB")
    assert sorted(r.path for r in netlify.api_requests()) == [
        "/api/v1/accounts/acme",
        "/api/v1/accounts/acme/bandwidth",
    ]


def test_a_free_credit_team_sees_its_bandwidth_and_deploys_in_credits_and_never_an_overage(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    text = checker.check(team="credits-co")
    card = checker.results.locator("article")
    # 4.5 GB of bandwidth (90 credits) and five production deploys (75), as Netlify counts them.
    assert "165 of 300 credits spent (55 %)" in text
    assert "Bandwidth\n4.19 GiB: 90 credits" in text and "Monthly credits\n300" in text
    assert "Production deploys\nat least 5: 75 credits" in text
    assert "Most production deploys\nblog 3, docs 2" in text
    assert "Deploys left\nabout 9 more production deploys (15 credits each)" in text
    rate = "20 credits per GB since 14 Apr 2026; 15 credits per production deploy since 4 Sep 2025"
    assert f"Rate\n{rate}" in text
    # On track, and the plan's rule said all the same.
    assert (
        "every site of the team is paused when the credits are spent: Free cannot recharge" in text
    )
    assert "Compute, web requests and AI inference spend the same credits" in text
    assert "A GB is taken as 10⁹ bytes, which Netlify does not state." in text
    assert "Over" not in text and "allowance" not in text
    meter = card.locator("meter")
    assert (meter.get_attribute("value"), meter.get_attribute("max")) == ("165", "300")
    link = card.get_by_role(
        "link", name="Every credit the team has spent, on Netlify's billing page"
    )
    assert link.get_attribute("href") == "https://app.netlify.com/teams/credits-co/billing/general"
    assert link.get_attribute("rel") == "noopener noreferrer"
    status = checker.page.get_by_role("status").inner_text()
    assert status == "Credits Co: at least 165 of 300 credits spent (55 %)."
    # Its figures and details, its site list, and each site's production deploys.
    assert sorted(r.path.split("?")[0] for r in netlify.api_requests()) == [
        "/api/v1/accounts/credits-co",
        "/api/v1/accounts/credits-co/bandwidth",
        "/api/v1/credits-co/sites",
        "/api/v1/sites/site-blog/deploys",
        "/api/v1/sites/site-docs/deploys",
    ]


def test_legacy_teams_cost_no_request_for_deploys(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.check(team="")
    paths = [r.path.split("?")[0] for r in netlify.api_requests()]
    # The legacy teams' figures and nothing more; only the credit team's deploys are listed.
    legacy = sorted(path for path in paths if "acme" in path or "side-projects" in path)
    assert legacy == ["/api/v1/accounts/acme/bandwidth", "/api/v1/accounts/side-projects/bandwidth"]
    assert sorted(path for path in paths if "/sites" in path) == [
        "/api/v1/credits-co/sites",
        "/api/v1/sites/site-blog/deploys",
        "/api/v1/sites/site-docs/deploys",
    ]


def test_a_credit_card_shows_its_bandwidth_first_and_its_deploys_as_they_are_counted(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.hold("/sites/site-docs/deploys?production=true&state=ready&page=1&per_page=100")
    before = checker.marks("result-shown")
    checker.submit(team="credits-co")
    card = checker.results.locator("article")
    card.get_by_text("Counting production deploys: 1 of 2 sites…").wait_for()
    assert "at least 135 of 300 credits spent" in card.inner_text()
    netlify.release.set()
    checker.wait_result(before)
    assert "165 of 300 credits spent (55 %)" in card.inner_text()
    assert "Counting" not in card.inner_text()


def test_a_credit_team_on_course_to_run_out_is_told_when_and_what_then(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    figures = bandwidth_figures("credits-co")
    assert figures is not None
    netlify.override(
        "/accounts/credits-co/bandwidth", Reply(200, {**figures, "used": 9_000_000_000})
    )
    text = checker.check(team="credits-co")
    assert "255 of 300 credits" in text  # 180 for bandwidth, 75 for five production deploys
    assert re.search(r"spends the last of its 300 credits around \d+ \w+ \d{4}", text)
    assert (
        "every site of the team is paused when the credits are spent: Free cannot recharge" in text
    )
    assert checker.results.locator(".pace.warning").count() == 1


def test_a_team_netlify_reports_over_says_so_first_and_netlifys_own_count_drives_the_share(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    [credits_co] = [team for team in TEAMS if team["slug"] == "credits-co"]
    over = {**credits_co, "usages_exceeded": ["bandwidth"], "sites_with_usage_exceeded": ["blog"]}
    netlify.override("/accounts/credits-co", Reply(200, over))
    text = checker.check(team="credits-co")
    card = checker.results.locator("article")
    assert text.count("Netlify reports this team over its credits: its sites may be paused") == 1
    assert "Sites over\nblog" in text and "On track" not in text
    assert card.get_attribute("class") == "team over"
    link = card.get_by_role(
        "link", name="What is paused, and buying credits, on Netlify's billing page"
    )
    assert link.get_attribute("href") == "https://app.netlify.com/teams/credits-co/billing/general"
    status = checker.page.get_by_role("status").inner_text()
    assert (
        status == "Credits Co: Netlify reports this team over its credits: its sites may be paused."
    )

    counting = {**credits_co, "capabilities": {"credits": {"included": 3000, "used": 1850}}}
    netlify.override("/accounts/credits-co", Reply(200, counting))
    text = checker.check(team="credits-co")
    assert "1,850 of 3,000 credits spent (61.7 %, Netlify's own count)" in text
    assert "Netlify's own count\nNetlify counts 1,850 of 3,000 credits, 61.7 %" in text
    assert "Share worked from\nNetlify's own count, higher than the estimate (at least 165" in text
    assert "Netlify's own count covers every meter" in text


def test_a_named_credit_team_whose_account_fails_shows_its_bytes_alone(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.override("/accounts/credits-co", error(403, "Forbidden"))
    text = checker.check(team="credits-co")
    assert "4.19 GiB used" in text
    assert "did not say which plan this team is on" in text
    assert "Monthly credits" not in text and "credits spent" not in text
    assert "Over" not in text


# --- looking at it ------------------------------------------------------------------------------


def test_screenshots(checker: CheckerPage, netlify: FakeNetlify) -> None:
    """Saved for a person to look at: phone and desktop widths, light and dark."""
    ARTIFACTS.mkdir(exist_ok=True)
    checker.check(team="")
    page = checker.page
    for width in (375, 1280):
        for scheme in ("light", "dark"):
            page.set_viewport_size({"width": width, "height": 900})
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(ARTIFACTS / f"page-{width}-{scheme}.png"), full_page=True)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth > window.innerWidth"
            )
            assert not overflow, f"the page scrolls sideways at {width} px"
    page.emulate_media(color_scheme="light")


# What each label must stay clear of: the level's label sits above the level line, the crossing's
# below it, and the dates below the axis.
LABEL_CLEARANCE = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const top = (kind) => svg.querySelector(`polyline.${kind}`)?.getBoundingClientRect().top;
  return [...svg.querySelectorAll('text')].map(text => {
    const box = text.getBoundingClientRect();
    const px = parseFloat(getComputedStyle(text).fontSize) * box.width / text.getBBox().width;
    const line = text.classList.contains('date') || text.classList.contains('today')
      ? top('axis') : top('level');
    const clear = text.classList.contains('level') ? box.bottom <= line + 1 : box.top >= line - 1;
    return {label: text.textContent, px, clear};
  });
})"""


def test_chart_labels_read_12px_at_any_width_and_keep_clear_of_their_line(
    checker: CheckerPage,
) -> None:
    page = checker.page
    page.get_by_role("button", name="See an example").click()
    page.get_by_text("Example Agency").wait_for()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)  # a ResizeObserver answers by the next frame
        labels = page.evaluate(LABEL_CLEARANCE)
        assert len(labels) > 10
        for label in labels:
            assert 11.5 <= label["px"] <= 12.5, (width, label)
            assert label["clear"], (width, label)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_every_file_is_downloaded_once(
    page: Any, site: str, site_log: list[str], netlify: FakeNetlify
) -> None:
    site_log.clear()
    CheckerPage(page, site).open().check(team="acme")
    assert len(site_log) == len(set(site_log)), sorted(site_log)
    assert f"/pyodide/{PYODIDE_VERSION}/pyodide.asm.wasm.gz" in site_log


def test_a_progress_bar_shows_the_runtime_arriving(page: Any, site: str) -> None:
    checker = CheckerPage(page, site).open(wait_ready=False)
    bar = page.get_by_role("progressbar", name="Loading Python")
    page.evaluate(
        """() => {
          window.__progress = [];
          const bar = document.querySelector('#loading');
          const seen = () => { window.__progress.push(bar.value); requestAnimationFrame(seen); };
          seen();
        }"""
    )
    checker.wait_ready()
    assert bar.is_hidden()
    values = page.evaluate("() => window.__progress")
    assert values == sorted(values), "progress never goes backwards"
    assert values[-1] == 1
