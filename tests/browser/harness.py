"""The browser tier's helpers: Debian's chromium, the 127.0.0.1-only network check, axe-core, screenshots.

Plain functions, no fixtures (those are in conftest.py), so a test can also call them directly:
- `find_chromium()` / `CHROMIUM_ARGS`: which binary Playwright drives and with which flags;
- `NetworkLog`, `is_local`, `external_requests`, `open_page`: a page whose every request is recorded,
  and blocked unless it goes to 127.0.0.1;
- `axe`, `serious_violations`, `assert_no_serious_violations`: the vendored axe-core, run in the page;
- `screenshot`, `screenshots`: PNGs under build/screenshots/<name>-<width>.png;
- `serve_pages`: a throw-away HTTP server on 127.0.0.1 for a few static pages;
- `generated_plant` (tests.support's), `local_stack`: a plant and the local runtime serving it;
- `sign_in`, `watch`, `chart`: sign in on the local runtime's dev login page, collect a page's script and
  console errors, read a drawn ECharts chart's data.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from plexlabor_dev.assets import asset_path

if TYPE_CHECKING:
    import pytest
    from playwright.sync_api import Browser, BrowserContext, Page, Request, Route, WebSocketRoute

    from plexlabor_dev.local.stack import LocalStack

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "build" / "screenshots"

LOCAL_HOST = "127.0.0.1"
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
"""URLs that never touch the network."""

CHROMIUM_ENV = "PLEXLABOR_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
"""Debian's /usr/bin/chromium is a shell launcher that sources /etc/chromium.d (extension loading, remote
extensions, GPU rasterization) before it execs /usr/lib/chromium/chromium; the tests start that binary
with their own flags only. The other names are for machines without Debian's layout."""

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",  # root in a container: no user namespaces for the sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOCAL_HOST}",
)
"""The browser's own flags. The last two keep chromium itself (not only the page) off every network but
127.0.0.1, even for requests Playwright does not see. The fresh profile is Playwright's: `launch()`
always passes its own temporary --user-data-dir (and refuses one in `args`) and deletes it at close."""

LAUNCH_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 10_000
"""Every wait in a page (navigation, selectors, evaluate) gives up after this."""

DESKTOP = (1280, 800)
TABLET = (820, 1180)
VIEWPORTS = {DESKTOP[0]: DESKTOP, TABLET[0]: TABLET}
"""Screenshot widths and their viewport heights (the screenshot itself is the full page)."""

BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

CHART = """(id) => {
  const element = document.getElementById(id);
  const chart = window.echarts && element && echarts.getInstanceByDom(element);
  if (!chart) return null;
  const option = chart.getOption();
  return {
    x: option.xAxis[0].data || null,
    y: option.yAxis[0].data || null,
    series: option.series.map((s) => ({name: s.name, data: s.data})),
    drawn: element.querySelector("canvas") !== null && element.querySelector("canvas").width > 0,
  };
}"""
"""An ECharts chart's axes and series as the page holds them, and whether its canvas is drawn (null: none yet)."""


def find_chromium() -> str | None:
    """The chromium binary to drive: $PLEXLABOR_CHROMIUM, else Debian's, else one on PATH; None if none."""
    configured = os.environ.get(CHROMIUM_ENV)
    candidates = (configured,) if configured else CHROMIUM_CANDIDATES
    for candidate in candidates:
        found = candidate if os.path.isabs(candidate) and os.access(candidate, os.X_OK) else shutil.which(candidate)
        if found:
            return found
    return None


# --- the network: nothing leaves 127.0.0.1 ------------------------------------------------------------


def is_local(url: str) -> bool:
    """True for a request that stays on this machine's 127.0.0.1 (or never touches the network)."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname == LOCAL_HOST


def external_requests(urls: list[str]) -> list[str]:
    """The URLs among `urls` that would leave 127.0.0.1."""
    return [url for url in urls if not is_local(url)]


@dataclass
class NetworkLog:
    """Every URL a browser context asked for, and those it was refused."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    _checked: int = 0

    def external(self) -> list[str]:
        return external_requests(self.requests)

    def assert_stays_local(self) -> None:
        """Fail if a request not yet checked went anywhere but 127.0.0.1 (each is reported once)."""
        new, self._checked = self.requests[self._checked :], len(self.requests)
        leaving = external_requests(new)
        if leaving:
            shown = "\n  ".join(leaving)
            raise AssertionError(f"requests left 127.0.0.1 (blocked, but the page asked for them):\n  {shown}")


def open_page(browser: Browser, log: NetworkLog | None = None) -> tuple[BrowserContext, Page, NetworkLog]:
    """A page in a fresh context; every request is logged, and aborted unless it stays on 127.0.0.1.

    The caller closes the context. Service workers are blocked so that every request passes the route.
    """
    log = NetworkLog() if log is None else log
    context = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]}, service_workers="block")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)

    def record(request: Request) -> None:
        log.requests.append(request.url)

    def guard(route: Route) -> None:
        if is_local(route.request.url):
            route.fallback()
        else:
            log.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def guard_socket(socket: WebSocketRoute) -> None:
        log.requests.append(socket.url)
        if is_local(socket.url):
            socket.connect_to_server()
        else:
            log.blocked.append(socket.url)
            socket.close()

    context.on("request", record)
    context.route("**/*", guard)
    context.route_web_socket(re.compile(".*"), guard_socket)
    return context, context.new_page(), log


# --- accessibility: the vendored axe-core -------------------------------------------------------------


def axe(page: Page, options: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; its violations (id, impact, help, nodes' targets and html).

    The script is evaluated through the DevTools protocol, not added as a <script> element, so a page's
    Content-Security-Policy (the web app's forbids inline scripts) does not stop it.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        source = asset_path("axe-core").read_text(encoding="utf-8")
        page.evaluate(source + "\n;typeof window.axe")
    run_options = {"resultTypes": ["violations"], **(options or {})}
    violations: list[dict[str, Any]] = page.evaluate(
        """async (options) => (await window.axe.run(document, options)).violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map((n) => ({target: n.target, html: n.html})),
        }))""",
        run_options,
    )
    return violations


def serious_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [violation for violation in violations if violation.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['impact']}: {violation['id']} ({violation['help']}) at {targets}")
    return "\n  ".join(lines)


def assert_no_serious_violations(page: Page, options: Mapping[str, Any] | None = None) -> None:
    """Fail with axe's findings if the page has a 'serious' or 'critical' accessibility violation."""
    found = serious_violations(axe(page, options))
    if found:
        raise AssertionError(f"axe-core found serious accessibility violations on {page.url}:\n  {describe(found)}")


# --- screenshots --------------------------------------------------------------------------------------


def screenshot(page: Page, name: str, width: int, *, directory: Path = SCREENSHOT_DIR) -> Path:
    """A full-page PNG at `width` (1280 desktop, 820 tablet): build/screenshots/<name>-<width>.png."""
    if not _NAME.match(name):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits, '-' and '_'")
    viewport = VIEWPORTS.get(width, (width, DESKTOP[1]))
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def screenshots(page: Page, name: str, *, directory: Path = SCREENSHOT_DIR) -> list[Path]:
    """The page at desktop and at tablet width."""
    return [screenshot(page, name, width, directory=directory) for width in VIEWPORTS]


# --- a static site on 127.0.0.1 -----------------------------------------------------------------------

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


@contextmanager
def serve_pages(pages: Mapping[str, str | bytes]) -> Iterator[str]:
    """Serve `pages` ({"/index.html": "<!doctype html>..."}) on 127.0.0.1 (a free port); yields the base URL.

    Anything else is a 404. The server thread is stopped and joined (bounded) on exit.
    """

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            body = pages.get(path)
            if body is None:
                self.send_error(404)
                return
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(200)
            self.send_header("Content-Type", CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream"))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer((LOCAL_HOST, 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def local_stack(
    tmp_path_factory: pytest.TempPathFactory, name: str, plant: Path, **options: Any
) -> Iterator[LocalStack]:
    """The local runtime on `plant` (`options`: LocalStack's), its handlers' output in a fresh
    `<name>-logs/handlers.log`."""
    from plexlabor_dev.local.stack import LocalStack

    log_file = tmp_path_factory.mktemp(f"{name}-logs") / "handlers.log"
    with log_file.open("w", encoding="utf-8") as log, LocalStack(plant, handler_output=log, **options) as stack:
        yield stack


class Site(Protocol):
    """What a module's fixture offers for signing in: the local runtime's base URL."""

    @property
    def base(self) -> str: ...


def sign_in(page: Page, site: Site, username: str, then: str = "/queue") -> None:
    """Open `then`, which sends a person who is not signed in to the dev login page; pick the user."""
    page.goto(f"{site.base}{then}")
    assert page.url.startswith(f"{site.base}/dev/login"), page.url
    page.get_by_role("button", name=f"Sign in as {username}", exact=True).click()
    page.wait_for_url(f"{site.base}{then}")


def watch(page: Page) -> list[str]:
    """Script errors and console errors (a CSP violation is one) on the page, as they happen."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


def chart(page: Page, element_id: str) -> dict[str, Any]:
    """The chart in element `element_id` (`CHART`), once drawn."""
    page.wait_for_function(f"() => ({CHART})({json.dumps(element_id)}) !== null", timeout=10_000)
    found: dict[str, Any] = page.evaluate(CHART, element_id)
    assert found["drawn"], f"{element_id}: no canvas drawn"
    return found
