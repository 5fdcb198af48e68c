"""Real-browser journeys: Playwright drives Debian's Chromium against a live server.

Each journey runs three ways: a desktop window with JavaScript, a phone
(360×740) with JavaScript, and without JavaScript. axe-core (from npm,
loaded from node_modules) checks every page against WCAG 2.1 A and AA;
screenshots of the key pages go to .artifacts/journeys/.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / ".artifacts" / "journeys"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MODES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": True},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "java_script_enabled": True,
        "is_mobile": True,
        "has_touch": True,
    },
    "no-js": {"viewport": {"width": 1024, "height": 800}, "java_script_enabled": False},
}


def _missing(what: str, how: str):
    message = f"{what} is missing: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing("Chromium", "apt-get install chromium (never a downloaded browser)")
    if not AXE.exists():
        _missing("axe-core", "npm ci (make install does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(MODES))
def mode(request):
    return request.param


class Visit:
    """One person's browser: new contexts share the journey's mode and checks."""

    def __init__(self, browser, base_url: str, mode: str, journey: str):
        self.browser, self.base_url, self.mode, self.journey = browser, base_url, mode, journey
        self.contexts = []
        self.checked = []

    def new_page(self):
        # bypass_csp lets axe-core be injected; the CSP itself is tested on its headers.
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="en-GB",
            bypass_csp=True,
            accept_downloads=True,
            **MODES[self.mode],
        )
        context.set_default_timeout(15_000)
        self.contexts.append(context)
        return context.new_page()

    def check(self, page, name: str):
        """axe-core on the current page (zero WCAG 2.1 A/AA violations) and a screenshot."""
        folder = ARTIFACTS / self.journey / self.mode
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{len(self.checked):02d}-{name}.png"), full_page=True)
        target = page if MODES[self.mode]["java_script_enabled"] else self._replay(page)
        target.add_script_tag(path=str(AXE))
        result = target.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
            })"""
        )
        violations = [
            {
                "id": v["id"],
                "help": v["help"],
                "nodes": [node["target"] for node in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        self.checked.append(page.url)
        assert violations == [], f"{name} ({page.url}):\n" + json.dumps(violations, indent=2)

    def _replay(self, page):
        """axe-core needs JavaScript: show the HTML this no-JS page received to a JS page."""
        html, url = page.content(), page.url
        if not hasattr(self, "_checker"):
            options = {**MODES[self.mode], "java_script_enabled": True}
            context = self.browser.new_context(base_url=self.base_url, bypass_csp=True, **options)
            self.contexts.append(context)
            self._checker = context.new_page()
        self._checker.unroute("**/*")
        self._checker.route(
            lambda candidate: candidate == url,
            lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
        )
        self._checker.goto(url)
        return self._checker

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def visit(request, browser, live_server, mode):
    journey = re.sub(r"^test_", "", request.node.originalname)
    visit = Visit(browser, live_server.url, mode, journey)
    yield visit
    visit.close()
