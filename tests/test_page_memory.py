"""What the page keeps on this device, and only when asked: the team, the units and the readings;
never a token, even one pasted into the team field. And the example, which needs no token."""

from __future__ import annotations

import pytest

from tests.checker_page import CheckerPage
from tests.fake_netlify import (
    BANDWIDTH,
    NO_ALLOWANCE,
    TOKEN,
    FakeNetlify,
    Reply,
    bandwidth_figures,
)

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
    assert names[2].startswith("165 credits of 300 credits used")
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
    assert checker.page.get_by_role("status").inner_text().startswith("Example: Checked 5 teams")
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
