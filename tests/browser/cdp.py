"""A small headless-Chromium driver over the DevTools protocol, standard library only.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol
commands (JSON, each ended by a NUL byte) on its file descriptor 3 and writes
replies and events on descriptor 4.  No WebDriver, no websocket library and
no browser download: any installed Chromium will do (Debian's ``chromium``).

    with Chromium("/usr/bin/chromium", tmp_path / "profile") as browser:
        page = browser.new_page(width=375, height=800)
        page.goto(Path("index.html").as_uri())
        page.evaluate("document.title")
        page.screenshot(tmp_path / "index.png")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

#: Headless, offline and quiet: no sandbox (CI runs as root), no GPU, and none
#: of the background services that would try to reach the network.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",  # phones draw no scrollbar gutter; keep widths exact
    "--force-color-profile=srgb",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium exited, timed out, or answered a command with an error."""


def _high_fd(fd: int) -> int:
    """Move ``fd`` to a number >= 10, clear of the 3 and 4 it is dup'ed onto."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    """One headless Chromium process and its DevTools pipe."""

    def __init__(self, executable: str, user_data_dir: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        to_browser_r, to_browser_w = map(_high_fd, os.pipe())
        from_browser_r, from_browser_w = map(_high_fd, os.pipe())

        def on_fds_3_and_4() -> None:  # in the child, before exec
            # dup2 onto another number clears close-on-exec: only 3 and 4 are
            # inherited, the originals (>= 10, close-on-exec) are not.
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        args = [executable, *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"]
        self._log = open(Path(user_data_dir).parent / "chromium.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            args,
            close_fds=False,  # True would close 3 and 4 after preexec_fn has set them
            preexec_fn=on_fds_3_and_4,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._out = to_browser_w
        self._in = from_browser_r
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except (BrowserError, OSError) as error:
            self.close()
            log = (Path(user_data_dir).parent / "chromium.log").read_text(errors="replace")
            raise BrowserError(f"{executable} did not start: {error}\n{log[-3000:]}") from None

    # -- protocol ---------------------------------------------------------

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict:
        """Send one command (``session`` given: to that page) and wait for its reply."""
        session = kw.pop("session", None)
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + kw.pop("timeout", self.timeout)
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            # Anything else is an event; nothing here needs them.

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"no answer from Chromium within {self.timeout:.0f} s")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise BrowserError(f"Chromium exited (code {self.process.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    # -- pages ------------------------------------------------------------

    def new_page(self, width: int, height: int, *, mobile: bool = False) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        page = Page(self, target, session["sessionId"])
        page.resize(width, height, mobile=mobile)
        return page

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.send("Browser.close", timeout=5)
        except (BrowserError, OSError):
            pass
        finally:
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            os.close(self._out)
            os.close(self._in)
            self._log.close()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab, driven through its flattened DevTools session."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session
        self.width = 0

    def send(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> dict:
        return self.browser.send(method, params, session=self.session, **kw)

    def resize(self, width: int, height: int, *, mobile: bool = False) -> None:
        """Emulate a viewport of ``width`` x ``height`` CSS pixels (scale 1)."""
        self.width = width
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.send("Emulation.setDeviceMetricsOverride", metrics)

    def goto(self, url: str) -> None:
        """Load ``url`` and wait until it, its stylesheets and its fonts are ready."""
        self.evaluate("window.__leaving = true")  # the new document will not have it
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        deadline = time.monotonic() + self.browser.timeout
        while not self.evaluate("!window.__leaving && document.readyState === 'complete'"):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url} did not finish loading")
            time.sleep(0.05)
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (promises are awaited)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"JavaScript error: {text}")
        return result["result"].get("value")

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        """Save a PNG of the viewport, or of the whole page (at the current width)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        data = self.send("Page.captureScreenshot", params)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path
