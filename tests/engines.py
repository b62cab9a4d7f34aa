"""The three browser engines a blog's readers use, behind one small interface for the journeys.

- Chromium through Playwright, which resolves api.netlify.com to the fake API itself;
- Firefox (Debian's firefox-esr) through Marionette, built into Firefox, with Mozilla's client;
- WebKit (WebKitGTK's MiniBrowser, the engine of Safari and every iPhone browser) through its
  W3C WebDriver, WebKitWebDriver, with Selenium's client, on a virtual X display.

Firefox and WebKit reach the fake API through a CONNECT proxy (tests/connect_proxy.py); loopback
addresses, where the site and the blog are served, bypass it. Each driver runs scripts as a
function body with `arguments`, as WebDriver does, so one script serves all three.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from tests.webdriver import FIREFOX_NAMES, WEBKIT_DRIVER, FirefoxDriver, WebKitDriver, minibrowser

ENGINES = ("chromium", "firefox", "webkit")


class Driver(Protocol):
    name: str
    version: str

    def goto(self, url: str) -> None: ...
    def js(self, body: str, *args: Any) -> Any: ...
    def js_async(self, body: str, *args: Any) -> Any: ...
    def fill(self, css: str, text: str) -> None: ...
    def type_keys(self, text: str) -> None: ...
    def click(self, css: str) -> None: ...
    def resize(self, width: int, height: int) -> None: ...
    def screenshot(self, path: Path) -> None: ...
    def frame(self, css: str) -> Any: ...
    def windows(self) -> list[str]: ...
    def switch_window(self, handle: str) -> None: ...
    def click_closing(self, css: str) -> None: ...
    def allow(self, origin: str) -> None: ...
    def quit(self) -> None: ...


def missing(engine: str) -> str | None:
    """Why `engine` cannot run here, or None when it can."""
    if engine == "firefox" and not any(shutil.which(name) for name in FIREFOX_NAMES):
        return "no Firefox: tests/run.sh installs Debian's firefox-esr"
    if engine == "webkit":
        for tool in (WEBKIT_DRIVER, "Xvfb"):
            if not shutil.which(tool):
                return f"no {tool}: tests/run.sh installs webkit2gtk-driver and xvfb"
        if minibrowser() is None:
            return "no MiniBrowser: tests/run.sh installs webkit2gtk-driver"
    return None


class ChromiumDriver:
    name = "chromium"

    def __init__(self, context: Any) -> None:
        self.context = context
        self.page = context.new_page()
        self.target: Any = self.page
        self.version = context.browser.version

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def js(self, body: str, *args: Any) -> Any:
        return self.target.evaluate(
            f"(args) => (function () {{ {body} }}).apply(null, args)", list(args)
        )

    def js_async(self, body: str, *args: Any) -> Any:
        return self.target.evaluate(
            f"(args) => (async function () {{ {body} }}).apply(null, args)", list(args)
        )

    def fill(self, css: str, text: str) -> None:
        self.target.locator(css).fill(text)

    def type_keys(self, text: str) -> None:
        """Keys as a person types them: to whatever has the focus, wherever a page moved it."""
        self.page.keyboard.type(text)

    def click(self, css: str) -> None:
        self.target.locator(css).click()

    def resize(self, width: int, height: int) -> None:
        self.page.set_viewport_size({"width": width, "height": height})

    def windows(self) -> list[str]:
        # Playwright's sync API takes in a new page only during a call: make one round trip.
        self.context.cookies()
        return [str(id(page)) for page in self.context.pages]

    def switch_window(self, handle: str) -> None:
        [self.page] = [page for page in self.context.pages if str(id(page)) == handle]
        self.target = self.page

    def click_closing(self, css: str) -> None:
        from playwright.sync_api import Error

        try:
            self.target.locator(css).click()
        except Error:
            if not self.page.is_closed():
                raise

    def screenshot(self, path: Path) -> None:
        self.page.screenshot(path=str(path), full_page=True)

    def allow(self, origin: str) -> None:
        """Lets the request audit accept another origin of the checker's."""
        self.context._test_audit.also.append(origin)

    @contextmanager
    def frame(self, css: str) -> Iterator[None]:
        handle = self.page.wait_for_selector(css)
        self.target = handle.content_frame()
        try:
            yield
        finally:
            self.target = self.page

    def quit(self) -> None:
        self.page.close()


def launch(engine: str, *, proxy_port: int, chromium: Any = None) -> Driver:
    """`chromium` is the Playwright browser context that Chromium's journeys run in."""
    if engine == "chromium":
        return ChromiumDriver(chromium)
    if engine == "firefox":
        return FirefoxDriver(proxy_port)
    return WebKitDriver(proxy_port)
