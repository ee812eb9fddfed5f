"""Fixtures of the browser tests: one chromium per test module, a watched German page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, Watched
from tests.support import RunningAppliance


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def watched(browser: Browser, appliance: RunningAppliance) -> Iterator[Watched]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="de-DE", accept_downloads=True
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    watched = Watched(page, appliance.url)
    yield watched
    if not page.is_closed() and page.url.startswith(appliance.url):
        missing = page.evaluate("import('/js/i18n.js').then((m) => [...m.missing])")
        assert missing == [], f"texts without translation: {missing}"
    context.close()
    assert watched.problems == [], "\n".join(watched.problems)
