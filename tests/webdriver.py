"""Firefox (through Marionette) and WebKit (through WebKitWebDriver and Selenium) as drivers of
the journeys: tests/engines.py puts them behind one interface with Chromium's."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIREFOX_NAMES = ("firefox-esr", "firefox")
WEBKIT_DRIVER = "WebKitWebDriver"


def minibrowser() -> str | None:
    found = sorted(Path("/usr/lib").glob("*/webkit2gtk-4.*/MiniBrowser"))
    return str(found[-1]) if found else None


# Async scripts resolve through the callback WebDriver passes last; errors come back as values,
# so that a failing script fails the test with its own message.
ASYNC = """
const done = arguments[arguments.length - 1];
const args = Array.prototype.slice.call(arguments, 0, -1);
(async function () { %s }).apply(null, args).then(
  (value) => done({ value }),
  (error) => done({ error: String(error && error.stack || error) }),
);
"""


def _settled(outcome: dict[str, Any]) -> Any:
    if "error" in outcome:
        raise AssertionError(f"script failed in the page: {outcome['error']}")
    return outcome.get("value")


class _WebDriverBase:
    """What Selenium's and Marionette's clients share: W3C WebDriver commands."""

    client: Any

    def _element(self, css: str) -> Any:
        deadline = time.monotonic() + 10
        while True:
            try:
                return self._find(css)
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _find(self, css: str) -> Any:
        raise NotImplementedError

    def fill(self, css: str, text: str) -> None:
        element = self._element(css)
        element.clear()
        if text:  # WebKit's driver refuses to type nothing
            element.send_keys(text)

    def click(self, css: str) -> None:
        self._element(css).click()

    def click_closing(self, css: str) -> None:
        """A click that closes the window it is in, which a driver may report as an error."""
        element = self._element(css)
        before = len(self.windows())
        try:
            element.click()
        except Exception:
            if len(self.windows()) >= before:
                raise

    def windows(self) -> list[str]:
        return list(self.client.window_handles)

    def allow(self, origin: str) -> None:
        pass  # the proxy audits Firefox and WebKit whatever origin the page came from

    @contextmanager
    def frame(self, css: str) -> Iterator[None]:
        self._enter(self._element(css))
        try:
            yield
        finally:
            self._leave()

    def _enter(self, frame: Any) -> None:
        raise NotImplementedError

    def _leave(self) -> None:
        raise NotImplementedError


class FirefoxDriver(_WebDriverBase):
    name = "firefox"

    def __init__(self, proxy_port: int) -> None:
        from marionette_driver.marionette import Marionette

        self.profile = Path(tempfile.mkdtemp(prefix="firefox-profile-"))
        port = _free_port()
        prefs = {
            "marionette.port": port,
            # Only api.netlify.com is tunnelled; loopback (the site, the blog) goes direct.
            "network.proxy.type": 1,
            "network.proxy.ssl": "127.0.0.1",
            "network.proxy.ssl_port": proxy_port,
            "network.proxy.http": "127.0.0.1",
            "network.proxy.http_port": proxy_port,
            "network.proxy.allow_hijacking_localhost": False,
            # Firefox's own background traffic, which would only reach the proxy's refusals.
            "app.update.disabledForTesting": True,
            "browser.safebrowsing.update.enabled": False,
            "browser.safebrowsing.downloads.remote.enabled": False,
            "network.captive-portal-service.enabled": False,
            "network.connectivity-service.enabled": False,
            "services.settings.server": "data:,#remote-settings-off",
            "toolkit.telemetry.reportingpolicy.firstRun": False,
            "datareporting.policy.dataSubmissionEnabled": False,
            "network.dns.disablePrefetch": True,
            "network.prefetch-next": False,
            "network.trr.mode": 5,
            "browser.newtabpage.enabled": False,
            "extensions.getAddons.cache.enabled": False,
            "media.gmp-manager.updateEnabled": False,
        }
        (self.profile / "user.js").write_text(
            "".join(f"user_pref({_js_value(k)}, {_js_value(v)});\n" for k, v in prefs.items())
        )
        executable = next(shutil.which(n) for n in FIREFOX_NAMES if shutil.which(n))
        arguments = ["--marionette", "--headless", "--no-remote", "--profile", str(self.profile)]
        self.process = subprocess.Popen(
            [executable, *arguments],
            # Release builds ignore services.settings.server without it, and keep polling Mozilla.
            env={**os.environ, "MOZ_REMOTE_SETTINGS_DEVTOOLS": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = Marionette(host="127.0.0.1", port=port, startup_timeout=60)
        self.client.start_session({"acceptInsecureCerts": True})
        self.client.timeout.script = 60
        self.version = self.client.session_capabilities.get("browserVersion", "?")

    def goto(self, url: str) -> None:
        self.client.navigate(url)

    def type_keys(self, text: str) -> None:
        self.client.actions.sequence("key", "keyboard").send_keys(text).perform()

    def _find(self, css: str) -> Any:
        return self.client.find_element("css selector", css)

    def js(self, body: str, *args: Any) -> Any:
        # sandbox=None: the page's own globals, as the page's scripts see them.
        return self.client.execute_script(body, script_args=args, sandbox=None)

    def js_async(self, body: str, *args: Any) -> Any:
        outcome = self.client.execute_async_script(ASYNC % body, script_args=args, sandbox=None)
        return _settled(outcome)

    def resize(self, width: int, height: int) -> None:
        self.client.set_window_rect(width=width, height=height)

    def screenshot(self, path: Path) -> None:
        path.write_bytes(self.client.screenshot(format="binary", full=True))

    def _enter(self, frame: Any) -> None:
        self.client.switch_to_frame(frame)

    def switch_window(self, handle: str) -> None:
        self.client.switch_to_window(handle)

    def _leave(self) -> None:
        self.client.switch_to_frame()

    def quit(self) -> None:
        try:
            self.client.delete_session()
        finally:
            self.process.terminate()
            self.process.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


class WebKitDriver(_WebDriverBase):
    name = "webkit"

    def __init__(self, proxy_port: int) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        # MiniBrowser needs a display even when nobody looks at it.
        self.xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", "1", "-screen", "0", "1400x1100x24", "-nolisten", "tcp"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.xvfb.stdout is not None
        display = ":" + self.xvfb.stdout.readline().decode().strip()
        options = Options()
        options.binary_location = minibrowser()
        options.add_argument("--automation")
        options.set_capability("acceptInsecureCerts", True)
        # WebKitGTK takes its proxy from the environment of the process that starts it; the
        # WebDriver `proxy` capability made it speak TLS to the proxy itself, which fails.
        proxy = f"http://127.0.0.1:{proxy_port}"
        environment = {
            **os.environ,
            "DISPLAY": display,
            "https_proxy": proxy,
            "http_proxy": proxy,
            "no_proxy": "127.0.0.1,localhost",
        }
        # Selenium Manager would try to download a driver; this one is Debian's.
        service = Service(executable_path=shutil.which(WEBKIT_DRIVER), env=environment)
        self.client = webdriver.WebKitGTK(options=options, service=service)
        self.client.set_script_timeout(60)
        self.version = self.client.capabilities.get("browserVersion", "?")

    def goto(self, url: str) -> None:
        self.client.get(url)

    def fill(self, css: str, text: str) -> None:
        # WebKitWebDriver calls a field in another origin's frame "not focusable" until it has
        # been clicked; a person clicks it too, then types.
        element = self._element(css)
        element.clear()  # which, as WebDriver defines it, also takes the focus away
        element.click()
        if text:
            self.type_keys(text)

    def type_keys(self, text: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(self.client).send_keys(text).perform()

    def _find(self, css: str) -> Any:
        return self.client.find_element("css selector", css)

    def js(self, body: str, *args: Any) -> Any:
        return self.client.execute_script(body, *args)

    def js_async(self, body: str, *args: Any) -> Any:
        return _settled(self.client.execute_async_script(ASYNC % body, *args))

    def resize(self, width: int, height: int) -> None:
        self.client.set_window_size(width, height)

    def screenshot(self, path: Path) -> None:
        # Under Xvfb, WebKit paints a frame or two after layout; its driver captures only the
        # window, so the window takes the page's height first.
        height = self.js("return document.documentElement.scrollHeight")
        width = self.client.get_window_size()["width"]
        self.client.set_window_size(width, min(height + 120, 4000))
        self.js_async("await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)));")
        self.client.save_screenshot(str(path))

    def _enter(self, frame: Any) -> None:
        self.client.switch_to.frame(frame)

    def switch_window(self, handle: str) -> None:
        self.client.switch_to.window(handle)

    def _leave(self) -> None:
        self.client.switch_to.default_content()

    def quit(self) -> None:
        try:
            self.client.quit()
        finally:
            self.xvfb.terminate()
            self.xvfb.wait(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _js_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
