"""The browser tier: Debian's chromium driven by Playwright, nothing leaving 127.0.0.1, axe-core, screenshots.

- `browser` (session): chromium launched once per worker with `harness.CHROMIUM_ARGS`, with HOME and
  the XDG folders in a temporary folder so nothing lands in the developer's ~/.config.
- `network_log`, `page` (per test): a page in a fresh context; every request is recorded, and any that
  would leave 127.0.0.1 is aborted. Right after the test body, a test that asked for such a request
  FAILS (`pytest_runtest_call` below); one issued later, while the page closes, errors at teardown.
- `problems` (per test): the page's script and console errors, as they happen (`harness.watch`).
- Helpers for tests: `from tests.browser.harness import assert_no_serious_violations, screenshots, ...`.

Every test here carries the `browser` marker (`-m "not browser"` leaves the tier out). `make install`
installs chromium; if chromium or Playwright still cannot be found the tier is skipped with the reason,
except under CI (the CI variable set), where it fails instead: CI must run it.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.harness import CHROMIUM_ARGS, LAUNCH_TIMEOUT_MS, NetworkLog, find_chromium, open_page, watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent


def missing_requirement() -> str | None:
    """Why the tier cannot run on this machine, or None."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (make install installs the dev extras)"
    if find_chromium() is None:
        return "chromium not found (make install installs Debian's chromium; or set PLEXLABOR_CHROMIUM)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives chromium (tests/browser)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = missing_requirement()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason is not None and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason=f"browser tier skipped: {reason}"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[Any]:
    """After a test body that passed, fail it if its page asked for anything beyond 127.0.0.1."""
    result = yield
    log = getattr(item, "funcargs", {}).get("network_log")
    if isinstance(log, NetworkLog):
        log.assert_stays_local()
    return result


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    reason = missing_requirement()
    if reason is not None:
        pytest.fail(f"the browser tier cannot run: {reason} (with CI set it fails rather than skip)")
    from playwright.sync_api import sync_playwright

    home = tmp_path_factory.mktemp("chromium-home")
    environment: dict[str, str | float | bool] = {**os.environ, "HOME": str(home)}
    environment.update(XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"))
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=find_chromium(),
            headless=True,
            args=list(CHROMIUM_ARGS),
            env=environment,
            timeout=LAUNCH_TIMEOUT_MS,
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def network_log() -> NetworkLog:
    return NetworkLog()


@pytest.fixture
def page(browser: Browser, network_log: NetworkLog) -> Iterator[Page]:
    context, opened, log = open_page(browser, network_log)
    try:
        yield opened
    finally:
        context.close()
    log.assert_stays_local()


@pytest.fixture
def problems(page: Page) -> list[str]:
    """Script and console errors (a CSP violation is one) on the test's page, as they happen."""
    return watch(page)
