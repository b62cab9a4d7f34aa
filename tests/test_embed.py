"""The one-line embed, in a blog post served from another origin."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.audit import audited_context
from tests.checker_page import closes_with, open_token_window, token_from_window
from tests.conftest import ARTIFACTS, framing
from tests.fake_netlify import TOKEN, FakeNetlify

BUDGET_BYTES = 35_000


@pytest.fixture
def post(browser: Any, site: str, blog: str, site_log: list[str]) -> Iterator[Any]:
    with audited_context(browser, site, host=blog) as ctx:
        page = ctx.new_page()
        site_log.clear()
        page.goto(blog + "post.html")
        page.get_by_title("Netlify bandwidth checker").wait_for()
        frame = page.frame_locator("iframe")
        frame.get_by_text("Python loads as soon as you start").wait_for()
        yield page


def size_of(dist: Path, paths: list[str]) -> int:
    total = 0
    for path in dict.fromkeys(paths):
        file = dist / path.split("?")[0].lstrip("/")
        total += file.stat().st_size if file.is_file() else 0
    return total


def test_one_line_puts_the_widget_in_place_for_under_35_kb(
    post: Any, dist: Path, site_log: list[str]
) -> None:
    frame = post.locator("iframe")
    # Where the script tag stood: after the heading, before the closing paragraph.
    assert (
        post.evaluate(
            "() => document.querySelector('h1').nextElementSibling.nextElementSibling.tagName"
        )
        == "IFRAME"
    )
    assert frame.get_attribute("title") == "Netlify bandwidth checker"
    post.wait_for_timeout(500)
    assert not [path for path in site_log if path.startswith("/pyodide/")]
    transferred = size_of(dist, site_log)
    assert transferred < BUDGET_BYTES, f"{transferred} bytes before any interaction"
    widget = post.frame_locator("iframe")
    assert widget.get_by_label("Team slug").input_value() == "acme"
    assert widget.get_by_role("link", name="Open in a new tab").get_attribute("target") == "_blank"


def test_a_check_works_in_place_and_the_frame_follows_its_content(
    post: Any, netlify: FakeNetlify, site_log: list[str], site: str
) -> None:
    widget = post.frame_locator("iframe")
    before = post.locator("iframe").bounding_box()["height"]
    window = open_token_window(post, site)
    # Python loads while the reader is in the token window.
    for _ in range(100):
        if any(path.startswith("/pyodide/") for path in site_log):
            break
        post.wait_for_timeout(50)
    else:
        pytest.fail("pressing Check bandwidth did not start loading Python")
    window.get_by_label("Personal access token").fill(TOKEN)
    closes_with(window, lambda: window.get_by_role("button", name="Check bandwidth").click())
    widget.locator(".headline", has_text="25.3 GiB of 100 GiB used").wait_for(timeout=60_000)
    # data-team named the team: its name, plan and quotas come with the figures.
    widget.get_by_text("Other quotas").wait_for()
    post.wait_for_function(
        "(h) => document.querySelector('iframe').getBoundingClientRect().height > h + 100",
        arg=before,
    )
    content = widget.locator("main").evaluate("(main) => main.offsetHeight")
    # All of it shows, in a frame at most one coarse step (40 px) taller.
    assert 0 <= post.locator("iframe").bounding_box()["height"] - content < 40
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        post.emulate_media(color_scheme=scheme)
        post.screenshot(path=str(ARTIFACTS / f"embed-{scheme}.png"), full_page=True)
    received = post.evaluate("() => window.__messages")
    assert received, "the widget reported its height"
    for origin, data in received:
        assert origin == netlify_site_origin(post)
        assert TOKEN not in data
        assert json.loads(data)["type"] == "netlify-bandwidth-checker:height"
        assert json.loads(data)["height"] % 40 == 0  # the host learns little from it


def test_a_reader_can_see_an_example_in_the_widget(post: Any, netlify: FakeNetlify) -> None:
    widget = post.frame_locator("iframe")
    widget.get_by_role("button", name="See an example").click()
    widget.get_by_text("An example with made-up figures.").wait_for(timeout=60_000)
    results = widget.get_by_role("region", name="Results").inner_text()
    assert "Example Studio" in results
    # One example team is on a credit plan, on course to run out before its period ends.
    assert "Example New Team" in results and "275 of 300 credits spent" in results
    assert "every site of the team is paused when the credits are spent" in results
    assert netlify.requests == []


def netlify_site_origin(post: Any) -> str:
    src = post.locator("iframe").get_attribute("src")
    return "/".join(src.split("/")[:3])


def test_the_host_page_cannot_read_the_token(post: Any, netlify: FakeNetlify, site: str) -> None:
    token_from_window(post, site)
    post.frame_locator("iframe").locator(".headline").first.wait_for(timeout=60_000)
    reach = post.evaluate(
        """() => {
          const frame = document.querySelector("iframe");
          let reached;
          try {
            reached = frame.contentWindow.document;
          } catch (error) {
            reached = error.name;
          }
          return [frame.contentDocument === null, String(reached)];
        }"""
    )
    assert reach == [True, "SecurityError"]


@pytest.mark.parametrize("framing", ["framed.html", "framed-window.html"])
def test_the_full_page_and_the_token_window_refuse_to_be_framed(
    browser: Any, site: str, blog: str, framing: str
) -> None:
    with audited_context(browser, site, host=blog) as ctx:
        page = ctx.new_page()
        page.goto(blog + framing)
        page.wait_for_timeout(500)
        [child] = page.main_frame.child_frames
        assert child.url.startswith("chrome-error://") or child.url == "about:blank"


@pytest.mark.parametrize("pretty", [False, True], ids=["pretty-urls-off", "pretty-urls-on"])
@pytest.mark.parametrize(
    "address", ["token", "token/", "token.html", "index", "index/", "index.html", "widget"]
)
def test_a_pages_address_without_html_is_never_framed_without_its_policy(
    browser: Any, site: str, pretty_site: str, blog: str, address: str, pretty: bool
) -> None:
    """Netlify serves token.html at /token too, and with Pretty URLs on redirects /token.html
    there: every address carries the page's own policy."""
    base = pretty_site if pretty else site
    with audited_context(browser, base, host=blog) as ctx:
        page = ctx.new_page()
        page.goto(framing(blog, base + address))
        page.wait_for_timeout(500)
        [child] = page.main_frame.child_frames
        if address.startswith("widget"):
            # The widget may be framed, and is, with its own policy.
            assert child.url == base + address
            assert page.frame_locator("iframe").get_by_role("button", name="Check bandwidth")
        else:
            assert child.url.startswith("chrome-error://") or child.url == "about:blank"


@pytest.mark.parametrize("address", ["token", "index", "index.html", ""])
def test_a_page_framed_without_its_headers_asks_for_no_token(
    browser: Any, site: str, blog: str, naked_site: str, netlify: FakeNetlify, address: str
) -> None:
    """Defence in depth: a host that drops every header still gets no token field to frame."""
    with audited_context(browser, site, host=blog) as ctx:
        ctx._test_audit.also.append(naked_site)
        page = ctx.new_page()
        page.goto(framing(blog, naked_site + address))
        frame = page.frame_locator("iframe")
        notice = frame.locator("#framed")
        notice.wait_for(state="visible")
        assert "asks for no token" in notice.inner_text()
        link = frame.get_by_role("link", name="Open the checker in its own tab")
        assert link.get_attribute("target") == "_blank"
        for field in ("#token", "#team", "form"):
            assert frame.locator(field).count() == 0
        # The host's trap works on the frame; only there is nothing of a token to catch in it.
        notice.click()
        page.keyboard.type("x")
        assert "keydown:x" in page.evaluate("() => window.__captured")
        assert netlify.requests == []


@pytest.mark.parametrize("address", ["token", "token.html", ""])
def test_a_page_framed_without_its_headers_or_scripts_shows_no_token_field(
    browser: Any, site: str, blog: str, naked_site: str, address: str
) -> None:
    """A frame sandboxed without scripts, on a host that dropped the headers: the page's own
    defence cannot run, so the form ships hidden (the second security review, finding 7)."""
    with audited_context(browser, site, host=blog) as ctx:
        ctx._test_audit.also.append(naked_site)
        page = ctx.new_page()
        page.goto(framing(blog, naked_site + address, sandbox=""))
        frame = page.frame_locator("iframe")
        # Playwright's text locators skip <noscript>; the frame's text does not.
        frame.locator("h1").wait_for()
        assert "needs JavaScript" in frame.locator("body").inner_text()
        for field in ("#token", "#team", "#check-form"):
            assert frame.locator(field).count() == 1  # there, but not to be seen or typed in
            assert not frame.locator(field).is_visible()


def test_the_page_shows_the_snippet_for_its_own_origin(context: Any, site: str) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site)
    section = page.get_by_role("region", name="Embed this")
    snippet = f'<script src="{site}embed.js" async></script>'
    assert section.locator("#embed-script").inner_text() == snippet
    assert f'src="{site}widget.html"' in section.locator("#embed-frame").inner_text()
    copy = section.get_by_role("button", name="Copy").first
    copy.click()
    page.wait_for_function("() => document.querySelector('button.copy').textContent === 'Copied'")
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
