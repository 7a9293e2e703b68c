"""A real headless Chromium (the system's, driven by Playwright) against a live server.

Every test's page is saved as a screenshot under ``var/screenshots/`` (not committed). Pages are
opened with the Content Security Policy enforced, and any violation fails the test: the policy is
part of what the pages must satisfy. axe-core runs in a second context that bypasses the policy
(the only way to inject it) on the same URL with the same cookies.
"""

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

# Playwright's sync API runs an event loop in the test's thread; the ORM calls tests make beside
# it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(settings.BASE_DIR) / "pages/static/pages/vendor/axe-core/axe.min.js"
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PASSWORD = "secret-password"  # tests.accounts.factories.UserFactory's

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium missing (make test installs it)")


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (make test installs it)")
    if not AXE.exists():
        pytest.fail("The front-end packages are missing: run 'make assets'")
    from playwright.sync_api import sync_playwright

    restorable = {
        connection.alias: connection._test_serialized_contents
        for connection in connections.all()
        if hasattr(connection, "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # While Playwright's event loop runs in this thread, Django believes it is in an async
        # context and hands out new connection objects (asgiref's Local): they lack the copy of
        # the reference data that serialized rollback restores before each transactional test,
        # and later tests would start with no cities. Give it to them.
        for alias, contents in restorable.items():
            connections[alias]._test_serialized_contents = contents
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"],
        )
        yield launched
        launched.close()


@pytest.fixture
def site(live_server, settings):
    """The live server as the site: the xAPI IRIs and playback links are built from SITE_URL."""
    settings.SITE_URL = live_server.url
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    return live_server.url


class CspViolations(list):
    def check(self):
        assert not self, f"Content Security Policy violations: {list(self)}"


@pytest.fixture
def page_factory(browser, site, request):
    """``page_factory(locale="it-IT")``: a fresh browser context's page, screenshotted at the
    end; CSP violations reported by the page make the test fail."""
    contexts = []

    def make(locale: str = "en-GB"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.csp_violations = CspViolations()
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text
                and page.csp_violations.append(message.text)
            ),
        )
        contexts.append((context, page))
        return page

    yield make
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, (context, page) in enumerate(contexts):
        # A screenshot is a by-product, never the failure.
        with contextlib.suppress(Exception):
            page.screenshot(path=SCREENSHOTS / f"{name}-{index}.png", full_page=True)
            # Leave the page while the test's database is still open: what it sends as it goes
            # (the player flushes its statements on pagehide) reaches the live server now, not
            # after the test has ended.
            page.goto("about:blank")
            page.wait_for_timeout(500)
        context.close()
    for _, page in contexts:
        page.csp_violations.check()


@pytest.fixture
def page(page_factory):
    return page_factory()


def sign_in(page, site: str, user, *, next_path: str = "/") -> None:
    """Sign in through the login page, as a person would."""
    page.goto(f"{site}/accedi/?next={next_path}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of the page's current URL, as that person sees it."""
    context = page.context.browser.new_context(
        bypass_csp=True, storage_state=page.context.storage_state(), locale="it-IT"
    )
    try:
        audited = context.new_page()
        audited.goto(page.url)
        audited.wait_for_load_state("networkidle")
        audited.add_script_tag(path=str(AXE))
        result = audited.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
        )
    finally:
        context.close()
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe: {page.url}: {violations}"
