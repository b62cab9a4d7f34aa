"""The page in a real Chromium, against the built dist/ and the fake Netlify API over HTTPS.

Most checks share one page (Python loads once per module, as it does for a person checking
several times); tests about loading, reloading or the worker itself get a page of their own.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from build import PYODIDE_VERSION
from checker import samples
from checker.check import CAP
from tests.audit import audited_context
from tests.checker_page import CheckerPage
from tests.conftest import ARTIFACTS, served_copy
from tests.fake_netlify import (
    BANDWIDTH,
    NO_ALLOWANCE,
    TEAMS,
    TOKEN,
    FakeNetlify,
    Reply,
    bandwidth_figures,
    error,
    rate_limit_reset_in,
)


@pytest.fixture(scope="module")
def shared(browser: Any, site: str) -> Iterator[CheckerPage]:
    with audited_context(browser, site) as ctx:
        yield CheckerPage(ctx.new_page(), site).open()


@pytest.fixture
def checker(shared: CheckerPage, netlify: FakeNetlify) -> CheckerPage:
    shared.page.get_by_role("radio", name="GiB (as Netlify counts)").check()
    return shared


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
    assert "90 of 300 credits spent on bandwidth (30 %)" in text
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
    assert "90 of 300 credits" in cards.nth(2).inner_text()
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
    assert "90 of 300 credits spent on bandwidth" in checker.results.inner_text()
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


# --- every failure is a sentence, and the next check works --------------------------------------

FAILURES = [
    pytest.param(error(401, "Access Denied"), "rejected this token", id="401"),
    pytest.param(error(403, "Forbidden"), "not allowed to read “acme”", id="403"),
    pytest.param(error(404, "Not Found"), "No team with the slug “acme”", id="404-json"),
    pytest.param(Reply(404, "Not Found"), "No team with the slug “acme”", id="404-text"),
    pytest.param(Reply(500, "<html><body>Internal error</body></html>"), "HTTP 500", id="500-html"),
    pytest.param(Reply(502, "<html><h1>502 Bad Gateway</h1></html>"), "HTTP 502", id="502-html"),
    pytest.param(Reply(503, b"<!DOCTYPE html><p>busy"), "HTTP 503", id="503-html"),
    pytest.param(Reply(200, b"{not json"), "not valid JSON", id="malformed-json"),
    pytest.param(Reply(200, b"<!DOCTYPE html><p>hi"), "web page instead", id="html-200"),
    pytest.param(Reply(200, {"included": 5}), "no “used” figure", id="missing-field"),
    pytest.param(Reply(200, {"used": "x", "included": 5}), "unusable “used”", id="string"),
    pytest.param(Reply(200, {"used": -1, "included": 5}), "unusable “used”", id="negative"),
    pytest.param(Reply(200, {"used": 10**30, "included": 5}), "unusable “used”", id="enormous"),
    pytest.param(Reply(200, b"null"), "not an object", id="null"),
    pytest.param(Reply(200, b""), "empty page", id="empty-body"),
    pytest.param(Reply(reset=True), "Could not reach Netlify", id="connection-reset"),
]


def test_a_redirect_from_the_api_is_said_and_never_followed(
    checker: CheckerPage, netlify: FakeNetlify, site: str, site_log: list[str]
) -> None:
    # Followed, a redirect could carry the token elsewhere: here, to the page's own server,
    # which logs every path it is asked for.
    netlify.override(BANDWIDTH, Reply(302, b"", {"Location": site + "taken"}), repeat=True)
    assert "answered with a redirect" in checker.fail(team="acme")
    assert not [path for path in site_log if "taken" in path]


@pytest.mark.parametrize(("reply", "said"), FAILURES)
def test_a_failure_is_explained_and_the_next_check_works(
    checker: CheckerPage, netlify: FakeNetlify, reply: Reply, said: str
) -> None:
    # Repeated: Chromium retries a GET whose reused connection was reset.
    netlify.override(BANDWIDTH, reply, repeat=True)
    message = checker.fail(team="acme")
    assert said in message
    assert "Traceback" not in message
    assert not re.search(r"<(html|body|h1|p\b|!doctype)", message, re.IGNORECASE)
    netlify.override(BANDWIDTH)
    assert checker.results.inner_text() == ""
    assert "25.3 GiB" in checker.check(team="acme")
    assert checker.alert.inner_text() == ""


def test_a_rejected_token_says_how_to_make_a_new_one(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    message = checker.fail(token="nfp_revoked_token_123")
    assert "rejected this token" in message
    assert "app.netlify.com/user/applications" in message
    assert checker.token.get_attribute("aria-invalid") == "true"


def test_a_readable_rate_limit_says_when_to_retry(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.expose_headers = True
    # Longer than the check waits (90 s): said at once, with when.
    netlify.override(BANDWIDTH, Reply(429, {"code": 429}, rate_limit_reset_in(100)))
    message = checker.fail()
    assert "Try again in" in message and "seconds" in message


def test_a_cors_refusal_is_explained(checker: CheckerPage, netlify: FakeNetlify) -> None:
    netlify.cors = False
    assert "Could not reach Netlify" in checker.fail()
    netlify.cors = True
    assert "25.3 GiB" in checker.check()


def test_offline_is_explained(checker: CheckerPage, netlify: FakeNetlify) -> None:
    checker.page.context.set_offline(True)
    try:
        assert "you may be offline" in checker.fail()
    finally:
        checker.page.context.set_offline(False)
    assert "25.3 GiB" in checker.check()


@pytest.mark.parametrize(
    ("token", "said"),
    [
        ("", "Paste a Netlify personal access token"),
        ("   \n", "Paste a Netlify personal access token"),
        ("nfp_abc\u0000def", "a control character"),
        ("nfp_abc\u00e9def", "outside plain ASCII"),
        ("nfp_abc def", "a space or line break"),
        ("x" * 10240, "10,240 characters"),
    ],
)
def test_a_bad_token_is_refused_before_any_request(
    checker: CheckerPage, netlify: FakeNetlify, token: str, said: str
) -> None:
    assert said in checker.fail(token=token)
    assert netlify.requests == []
    assert checker.page.evaluate("() => document.activeElement.id") == "token"


@pytest.mark.parametrize(
    "slug", ["acme/../user", "..", "acme?x=1", "acme#x", "a%2F", "my team", "ü"]
)
def test_an_odd_slug_is_refused_before_any_request(
    checker: CheckerPage, netlify: FakeNetlify, slug: str
) -> None:
    assert "letters, digits and hyphens" in checker.fail(team=slug)
    assert netlify.requests == []


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


def test_a_free_credit_team_sees_its_bandwidth_in_credits_and_never_an_overage(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    text = checker.check(team="credits-co")
    card = checker.results.locator("article")
    assert "90 of 300 credits spent on bandwidth (30 %)" in text
    assert "Bandwidth used\n4.19 GiB" in text and "Monthly credits\n300" in text
    assert "Rate\n20 credits per GB since 14 Apr 2026" in text
    assert "A GB is taken as 10⁹ bytes, which Netlify does not state." in text
    assert "fewer credits are left than this shows" in text
    assert "Over" not in text and "allowance" not in text
    meter = card.locator("meter")
    assert (meter.get_attribute("value"), meter.get_attribute("max")) == ("90", "300")
    link = card.get_by_role(
        "link", name="Every credit the team has spent, on Netlify's billing page"
    )
    assert link.get_attribute("href") == "https://app.netlify.com/teams/credits-co/billing/general"
    assert link.get_attribute("rel") == "noopener noreferrer"
    status = checker.page.get_by_role("status").inner_text()
    assert status == "Credits Co: 90 of 300 credits spent on bandwidth (30 %)."


def test_a_credit_team_on_course_to_run_out_is_told_when_and_what_then(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    figures = bandwidth_figures("credits-co")
    assert figures is not None
    netlify.override(
        "/accounts/credits-co/bandwidth", Reply(200, {**figures, "used": 12_000_000_000})
    )
    text = checker.check(team="credits-co")
    assert "240 of 300 credits" in text
    assert re.search(r"uses the last of the 300 credits around \d+ \w+ \d{4}", text)
    assert "On the Free plan, every site of the team is then paused until the next period." in text
    assert checker.results.locator(".pace.warning").count() == 1


def test_a_named_credit_team_whose_account_fails_shows_its_bytes_alone(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.override("/accounts/credits-co", error(403, "Forbidden"))
    text = checker.check(team="credits-co")
    assert "4.19 GiB used" in text
    assert "did not say which plan this team is on" in text
    assert "Monthly credits" not in text and "credits spent" not in text
    assert "Over" not in text


REMEMBERED = "() => localStorage.getItem('netlify-bandwidth-checker:remembered')"
READINGS = "() => JSON.parse(localStorage.getItem('netlify-bandwidth-checker:readings'))"


def test_a_plan_without_an_allowance_says_so(checker: CheckerPage, netlify: FakeNetlify) -> None:
    netlify.override("/accounts/credits-co", Reply(200, NO_ALLOWANCE))
    netlify.override("/accounts/credits-co/bandwidth", Reply(200, {"used": 0, "included": 0}))
    text = checker.check(team="credits-co")
    assert "This plan includes no bandwidth allowance" in text
    assert "Included\nnone" in text
    assert "Remaining" not in text


def test_every_card_shows_the_period_as_a_chart_named_by_its_figures(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.check(team="")
    charts = checker.results.get_by_role("img")
    assert charts.count() == 3
    names = [charts.nth(n).get_attribute("aria-label") for n in range(3)]
    assert names[0].startswith("25.3 GiB of 100 GiB used with 6")  # 20 of 30 days gone
    assert "; at this pace 3" in names[0] and "GiB by " in names[0]
    assert names[1].startswith("130 GiB of 100 GiB used")
    assert names[2].startswith("90 credits of 300 credits used")
    # Drawn, not blank: lines, today's dot, and the dates as text.
    first = charts.nth(0)
    assert first.locator("polyline.used").count() == 1
    assert first.locator("polyline.level").count() == 1
    assert first.locator("text.date").count() == 2
    box = first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 80
    assert "NaN" not in checker.results.inner_html()


def test_readings_kept_on_this_device_are_drawn_and_survive_a_reload(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    page = checker.page
    remember = page.get_by_label("Remember the team, units and readings on this device")
    remember.check()
    earlier = {**(bandwidth_figures("acme") or {}), "used": 20 * 2**30}
    earlier["last_updated_at"] = earlier["period_start_date"].replace("T00:00", "T09:00")
    netlify.override(BANDWIDTH, Reply(200, earlier))
    checker.check(team="acme")
    kept = page.evaluate(READINGS)
    assert len(kept) == 1 and '"used": 21474836480' in kept[0] and TOKEN not in kept[0]
    page.reload()
    checker.wait_ready()
    text = checker.check(team="acme")
    assert "Since the last reading\n+5.3 GiB since " in text
    chart = checker.results.get_by_role("img")
    assert chart.locator("circle.reading").count() == 1
    assert len(page.evaluate(READINGS)) == 2
    # The same figure again adds no reading.
    checker.check(team="acme")
    assert len(page.evaluate(READINGS)) == 2
    remember.uncheck()
    assert page.evaluate(READINGS) is None


def test_forget_token_forgets_the_readings_too(checker: CheckerPage, netlify: FakeNetlify) -> None:
    checker.page.get_by_label("Remember the team, units and readings on this device").check()
    checker.check(team="acme")
    assert checker.page.evaluate(READINGS) is not None
    checker.page.get_by_role("button", name="Forget token").click()
    assert checker.page.evaluate(READINGS) is None


def test_without_remembering_no_reading_is_kept(checker: CheckerPage, netlify: FakeNetlify) -> None:
    checker.check(team="acme")
    assert checker.page.evaluate(READINGS) is None


def test_the_team_and_units_are_remembered_only_when_asked(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    page = checker.page
    remember = page.get_by_label("Remember the team, units and readings on this device")
    assert not remember.is_checked()
    checker.check(team="side-projects")
    assert page.evaluate(REMEMBERED) is None  # off by default
    remember.check()
    page.get_by_label("GB", exact=True).check()
    checker.check(team="side-projects")
    page.reload()
    checker.wait_ready()
    assert checker.team.input_value() == "side-projects"
    assert page.get_by_label("GB", exact=True).is_checked()
    assert remember.is_checked()
    assert checker.token.input_value() == ""  # never the token (the audit checks storage too)
    remember.uncheck()
    assert page.evaluate(REMEMBERED) is None


def test_forget_token_forgets_the_team_and_units_too(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.page.get_by_label("Remember the team, units and readings on this device").check()
    checker.check(team="acme")
    assert checker.page.evaluate(REMEMBERED) is not None
    checker.page.get_by_role("button", name="Forget token").click()
    assert checker.page.evaluate(REMEMBERED) is None
    checker.page.reload()
    assert checker.team.input_value() == ""


def test_see_an_example_without_a_token_or_a_request(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    before = checker.marks("result-shown")
    checker.page.get_by_role("button", name="See an example").click()
    checker.until("(n) => performance.getEntriesByName('result-shown').length > n", before)
    text = checker.results.inner_text()
    assert text.startswith("An example with made-up figures. Nothing was sent to Netlify.")
    assert "Example Studio" in text and "Over the allowance by 12 GiB." in text
    assert checker.page.get_by_role("status").inner_text().startswith("Example: Checked 3 teams")
    assert checker.page.get_by_role("button", name="Refresh").is_hidden()
    assert netlify.requests == []
    # A real check afterwards replaces the example, label and all.
    assert "An example" not in checker.check(team="acme")


def test_a_token_pasted_into_the_team_field_is_refused_before_any_request(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    message = checker.fail(token=TOKEN, team=TOKEN)
    assert "looks like a token, not a team slug" in message
    assert TOKEN not in message
    assert netlify.requests == []
    assert checker.page.evaluate("() => document.activeElement.id") == "team"


# Netlify's older tokens: 40 or more letters and digits, no underscore.
LEGACY_TOKEN = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"


@pytest.mark.parametrize("pasted", [TOKEN, LEGACY_TOKEN, f"  {TOKEN}\n"])
def test_a_token_pasted_into_the_team_field_is_never_remembered(
    checker: CheckerPage, netlify: FakeNetlify, pasted: str
) -> None:
    page = checker.page
    page.get_by_label("Remember the team, units and readings on this device").check()
    checker.check(team="acme")
    assert "looks like a token" in checker.fail(token=TOKEN, team=pasted)
    # Typed, changed, submitted and refused: what the device keeps has no trace of it.
    kept = page.evaluate("() => JSON.stringify({ ...localStorage, ...sessionStorage })")
    assert pasted.strip() not in kept
    assert page.evaluate(f"() => JSON.parse(({REMEMBERED})())") == {"team": "", "units": "binary"}
    page.reload()
    assert checker.team.input_value() == ""


def test_a_token_an_earlier_version_kept_as_the_team_is_dropped_on_the_next_visit(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    page = checker.page
    page.evaluate(
        "(token) => localStorage.setItem('netlify-bandwidth-checker:remembered',"
        " JSON.stringify({ team: token, units: 'decimal' }))",
        TOKEN,
    )
    page.reload()
    assert checker.team.input_value() == ""
    assert page.evaluate(f"() => JSON.parse(({REMEMBERED})())") == {"team": "", "units": "decimal"}


# --- loading, and the worker --------------------------------------------------------------------


def test_a_check_asked_for_before_python_is_ready_is_answered(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open(wait_ready=False)
    checker.submit(team="acme")
    asked_at = page.evaluate("() => performance.now()")
    assert "as soon as it is ready" in page.get_by_role("status").inner_text()
    checker.until("() => performance.getEntriesByName('result-shown').length > 0", None, 60_000)
    [ready] = page.evaluate(
        "() => performance.getEntriesByName('python-ready').map(m => m.startTime)"
    )
    assert ready > asked_at
    assert "25.3 GiB" in checker.results.inner_text()


# Put before worker.js by the test below: the worker's own code breaks while it runs a check
# (turning a form into text, which only a check does).
BREAKS_A_CHECK = """
{
  const stringify = JSON.stringify;
  JSON.stringify = (value, ...rest) => {
    if (value && typeof value === "object" && "token" in value) throw new TypeError("broken");
    return stringify(value, ...rest);
  };
}
"""


def test_a_check_that_breaks_in_the_worker_is_answered_at_once_with_a_sentence(
    browser: Any, dist: Path, tmp_path: Path, netlify: FakeNetlify
) -> None:
    copy = tmp_path / "dist"
    shutil.copytree(dist, copy)
    worker = copy / "static" / "worker.js"
    worker.write_text(BREAKS_A_CHECK + worker.read_text())
    with served_copy(copy) as url, audited_context(browser, url) as context:
        page = context.new_page()
        checker = CheckerPage(page, url).open()
        started = time.monotonic()
        said = checker.fail(team="acme")
        # Not the watchdog's "did not answer" after twenty silent seconds: the worker's answer.
        assert said == "Something unexpected went wrong while checking. Please try again."
        assert time.monotonic() - started < 10
        assert not netlify.api_requests()
        button = page.get_by_role("button", name="Check bandwidth")
        assert button.get_attribute("aria-disabled") == "false"


def test_a_stalled_connection_ends_in_a_message_and_a_fresh_worker(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    # The fake clock runs the page's 20-second watchdog at once. It fakes `performance` too,
    # so from here on the test watches the page's text rather than its marks.
    page.clock.install()
    netlify.override(BANDWIDTH, Reply(stall=True))
    checker.submit(team="acme")
    # The worker announces each request before sending it; once the fake holds the request,
    # that announcement (which restarts the page's 20 seconds) has been posted too.
    deadline = time.monotonic() + 30
    while not netlify.api_requests() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    page.clock.run_for(19_000)
    assert checker.alert.inner_text() == ""
    page.clock.run_for(7_000)
    assert "did not answer within 20 seconds" in checker.alert.inner_text()
    netlify.release.set()
    checker.until("() => document.querySelector('[role=status]').textContent === 'Ready.'")
    checker.submit(team="acme")
    checker.until("() => document.querySelector('#results').textContent.includes('25.3 GiB')")
    assert checker.alert.inner_text() == ""


def test_a_crashed_worker_is_replaced(page: Any, site: str, netlify: FakeNetlify) -> None:
    checker = CheckerPage(page, site).open()
    [worker] = page.workers
    worker.evaluate("() => setTimeout(() => { throw new Error('simulated crash'); })")
    checker.until("() => document.querySelector('[role=alert]').textContent !== ''")
    assert "stopped unexpectedly" in checker.alert.inner_text()
    checker.wait_ready_again()
    assert "25.3 GiB" in checker.check(team="acme")


def test_forget_token_clears_the_field_results_and_the_worker(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    checker = CheckerPage(page, site).open()
    checker.check(team="acme")
    page.get_by_role("button", name="Forget token").click()
    assert checker.token.input_value() == ""
    assert checker.results.inner_text() == ""
    checker.wait_ready_again()


def test_show_token_toggles_the_field(page: Any, site: str, netlify: FakeNetlify) -> None:
    checker = CheckerPage(page, site).open(wait_ready=False)
    toggle = page.get_by_role("button", name="Show token")
    checker.token.fill(TOKEN)
    assert checker.token.get_attribute("type") == "password"
    toggle.click()
    assert checker.token.get_attribute("type") == "text"
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert checker.token.get_attribute("type") == "password"


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


# --- many teams, and answers that would not end (the second security review) ---------------------


def test_a_check_of_three_hundred_teams_completes(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    netlify.more_teams = [
        {**TEAMS[0], "id": f"more-{n}", "name": f"Team {n:03}", "slug": f"team-{n:03}"}
        for n in range(300 - len(TEAMS))
    ]
    before = checker.marks("result-shown")
    checker.submit(team="")
    checker.wait_result(before, timeout_ms=120_000)
    assert checker.results.locator("article h2").count() == 300
    status = checker.page.get_by_role("status").inner_text()
    assert status.startswith("Checked 300 teams")
    assert len(netlify.bandwidth_requests()) == 300


def test_an_answer_far_too_large_is_dropped_as_it_streams_in(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    # 5 MiB arrive, and the answer claims a hundred times more: the worker stops reading at
    # Python's 4 MiB limit rather than waiting for the rest (or the 20 s timeout).
    netlify.override(BANDWIDTH, Reply(200, b" " * (5 * 2**20), endless=True), repeat=True)
    started = time.monotonic()
    assert "far larger than expected" in checker.fail(team="acme")
    assert time.monotonic() - started < 15


def test_netlifys_answers_are_kept_in_no_http_cache(
    checker: CheckerPage, netlify: FakeNetlify
) -> None:
    checker.check(team="acme")
    checker.check(team="acme")
    # The browser revalidates what it cached (If-None-Match) unless told to keep nothing.
    assert len(netlify.bandwidth_requests()) == 2
    assert not [r for r in netlify.api_requests() if "if-none-match" in r.headers]
