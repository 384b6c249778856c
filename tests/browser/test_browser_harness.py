"""The browser harness itself, on tiny static pages served from 127.0.0.1: axe-core passes an accessible
page and reports a serious violation, a request to another host is blocked and detected (and fails a test
that uses the `page` fixture), screenshots are written at desktop and tablet width."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from plexlabor_dev.assets import PINNED, MissingAssetError, asset_path
from tests.browser.harness import (
    REPO_ROOT,
    SCREENSHOT_DIR,
    assert_no_serious_violations,
    axe,
    external_requests,
    is_local,
    open_page,
    screenshots,
    serve_pages,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ACCESSIBLE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Review queue</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'"></head>
<body>
<header><h1>Review queue</h1></header>
<main>
  <p>Three punches await a decision.</p>
  <form method="post" action="/decide">
    <label for="reason">Reason</label> <input id="reason" name="reason" type="text">
    <button type="submit">Approve</button>
  </form>
</main>
</body>
</html>"""

INACCESSIBLE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body><main>
  <h1>Broken</h1>
  <img src="/pixel.svg">
  <input type="text" name="unnamed">
</main></body>
</html>"""

PIXEL = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>'

LEAKY = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaky</title>
<script src="https://example.com/x.js"></script></head>
<body><main><h1>Leaky</h1></main></body></html>"""

SITE = {"/index.html": ACCESSIBLE, "/broken.html": INACCESSIBLE, "/pixel.svg": PIXEL, "/leaky.html": LEAKY}


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_pages(SITE) as base_url:
        yield base_url


def test_an_accessible_page_passes_axe(page: Page, site: str) -> None:
    # Given a page with a language, a title, landmarks and a labelled input, under a strict CSP
    page.goto(f"{site}/index.html")

    # When axe-core runs in it, Then it finds nothing serious, and the axe that ran is the pinned one
    assert_no_serious_violations(page)
    assert page.evaluate("() => window.axe.version") == PINNED["axe-core"].version


def test_a_serious_violation_is_reported(page: Page, site: str) -> None:
    # Given a page with an image without alt text and an input without a label
    page.goto(f"{site}/broken.html")

    # When axe-core runs
    found = {violation["id"]: violation["impact"] for violation in axe(page)}

    # Then both are reported as serious or worse, and the assertion helper fails naming them
    assert found.get("image-alt") == "critical"
    assert found.get("label") == "critical"
    with pytest.raises(AssertionError, match=r"(?s)image-alt.*label|label.*image-alt"):
        assert_no_serious_violations(page)


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8123/queue?x=1", True),
        ("ws://127.0.0.1:8123/socket", True),
        ("data:image/png;base64,AAAA", True),
        ("about:blank", True),
        ("https://example.com/x.js", False),
        ("http://localhost:8123/", False),
        ("http://127.0.0.1.example.com/", False),
        ("http://[::1]:8123/", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_127_0_0_1_counts_as_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_a_request_to_another_host_is_blocked_and_detected(browser: Browser, site: str) -> None:
    # Given a page (outside the `page` fixture, so this test is not failed by it) that loads a script
    # from https://example.com
    context, leaky, log = open_page(browser)
    try:
        # When it loads
        leaky.goto(f"{site}/leaky.html")
        title = leaky.title()
    finally:
        context.close()

    # Then the request was made, refused, and is the only one the check reports
    assert title == "Leaky"
    assert log.blocked == ["https://example.com/x.js"]
    assert f"{site}/leaky.html" in log.requests
    assert external_requests(log.requests) == ["https://example.com/x.js"]
    with pytest.raises(AssertionError, match=r"example\.com/x\.js"):
        log.assert_stays_local()
    log.assert_stays_local()  # each request is reported once


def test_chromium_itself_resolves_no_host_name(browser: Browser, site: str) -> None:
    from playwright.sync_api import Error as PlaywrightError

    # Given a context without the harness's route (as chromium's own requests would be), and the site's
    # port under a name that any resolver maps to it: localhost
    context = browser.new_context()
    by_name = site.replace("127.0.0.1", "localhost")
    try:
        # When it asks for the page by name, Then chromium's host resolver refuses (no DNS, no connection),
        # while the same page by address loads
        with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
            context.new_page().goto(f"{by_name}/index.html", timeout=5_000)
        by_address = context.new_page()
        by_address.goto(f"{site}/index.html", timeout=5_000)
        assert by_address.title() == "Review queue"
    finally:
        context.close()


def test_the_page_fixture_fails_a_test_whose_page_leaves_127(tmp_path: Path, site: str) -> None:
    # Given two tests using the `page` fixture: one stays on 127.0.0.1, one asks for example.com
    test_file = tmp_path / "test_leak.py"
    test_file.write_text(
        textwrap.dedent(
            f"""
            def test_stays_local(page):
                page.goto("{site}/index.html")

            def test_leaves(page):
                page.goto("{site}/leaky.html")
            """
        ),
        encoding="utf-8",
    )
    python_path = os.pathsep.join(str(REPO_ROOT / part) for part in (".", "layers/core", "dev"))
    environment = {**os.environ, "PYTHONPATH": python_path, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}

    # When pytest runs them with this tier's conftest as a plugin
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.browser.conftest"]
    run = subprocess.run(
        [*command, "--rootdir", str(tmp_path), str(test_file)],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=90,
    )

    # Then the leaking one fails (a failure of the test, not an error at teardown), naming the request
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert "FAILED test_leak.py::test_leaves" in run.stdout
    assert "requests left 127.0.0.1" in run.stdout
    assert "https://example.com/x.js" in run.stdout


def test_screenshots_at_desktop_and_tablet_width(page: Page, site: str) -> None:
    # Given a page
    page.goto(f"{site}/index.html")

    # When it is photographed
    written = screenshots(page, "browser-harness")

    # Then build/screenshots holds a PNG per width, as wide as the viewport
    assert written == [SCREENSHOT_DIR / "browser-harness-1280.png", SCREENSHOT_DIR / "browser-harness-820.png"]
    for path, width in zip(written, (1280, 820), strict=True):
        header = path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">I", header[16:20])[0] == width


def test_a_missing_asset_names_make_assets(tmp_path: Path) -> None:
    # Given a checkout without build/npm, and one with axe-core at another version than the pin
    stale = tmp_path / "stale" / "build" / "npm" / "node_modules" / "axe-core"
    stale.mkdir(parents=True)
    (stale / "package.json").write_text(json.dumps({"version": "0.0.1"}), encoding="utf-8")

    # When the asset is asked for, Then the error says what is wrong and to run `make assets`
    with pytest.raises(MissingAssetError, match=r"not installed in build/npm.*`make assets`"):
        asset_path("axe-core", root=tmp_path / "empty")
    with pytest.raises(MissingAssetError, match=r"build/npm has axe-core 0\.0\.1, the pin is .*`make assets`"):
        asset_path("axe-core", root=tmp_path / "stale")
    assert asset_path("axe-core").is_file()  # this checkout ran `make assets`
