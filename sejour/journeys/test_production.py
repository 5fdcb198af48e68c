"""Journeys against the production configuration (see production.py): every
stylesheet, script and font must arrive and be accepted, and the DSFR must
really style the page (computed styles, the Marianne font), with the CSP on.
"""

import gzip
import json
import re
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from sejour.conftest import PASSWORD

from .conftest import MODES
from .helpers import log_in_agent, log_in_applicant
from .production import (
    PROXY_HEADERS,
    database_url,
    gunicorn_start,
    gunicorn_stop,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

METRICS_TOKEN = "production-test-metrics-token"
DSFR_BLUE = "rgb(0, 0, 145)"  # --background-action-high-blue-france
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")


@pytest.fixture(scope="module")
def production(django_db_setup, django_db_blocker, static_root, tmp_path_factory):
    with django_db_blocker.unblock():
        database = database_url(connection.settings_dict)
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = gunicorn_start(
        static_root=static_root,
        database=database,
        log=log,
        # prometheus_client's multiprocess mode: the two gunicorn workers add up.
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path_factory.mktemp("prometheus")),
        METRICS_TOKEN=METRICS_TOKEN,
    )
    yield server
    gunicorn_stop(server)


class Watched:
    """A page whose refused or missing resources are all written down."""

    def __init__(self, page):
        self.page, self.problems = page, []
        page.on("console", self._console)
        page.on(
            "pageerror",
            lambda error: self.problems.append(f"script error: {error}\n{error.stack}"),
        )
        page.on(
            "requestfailed",
            lambda request: self.problems.append(f"failed: {request.url} ({request.failure})"),
        )
        page.on("response", self._response)

    def _console(self, message):
        # Refused integrity hashes, CSP violations and failed loads all land here.
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")

    def assert_styled(self, *, java_script: bool):
        page = self.page
        page.wait_for_load_state("load")
        stylesheets = page.eval_on_selector_all(
            "link[rel=stylesheet]", "links => links.map(link => link.href)"
        )
        scripts = page.eval_on_selector_all("script[src]", "tags => tags.map(tag => tag.src)")
        # The manifest storage is really in use: the DSFR comes under hashed names.
        assert any("dsfr.min." in href and HASHED.search(href) for href in stylesheets), stylesheets
        assert all(HASHED.search(src) for src in scripts), scripts
        fonts = page.evaluate(
            """async () => {
                await document.fonts.ready;
                return [...document.fonts].map(face => [face.family, face.weight, face.status]);
            }"""
        )
        # First what the browser refused or could not fetch: the most telling message.
        assert self.problems == [], "\n".join(self.problems)
        assert [face for face in fonts if face[2] == "error"] == [], fonts
        assert any(
            family.strip("\"'") == "Marianne" and status == "loaded" for family, _, status in fonts
        ), fonts
        header_font = page.eval_on_selector(".fr-header", "e => getComputedStyle(e).fontFamily")
        assert header_font.startswith("Marianne"), header_font
        # A DSFR component rule (not a browser default): the logo's capitals.
        logo = page.eval_on_selector(".fr-logo", "e => getComputedStyle(e).textTransform")
        assert logo == "uppercase", logo
        if java_script:
            # The DSFR's script ran (it marks the root element once started).
            page.wait_for_function("() => document.documentElement.dataset.frJs === 'true'")
        assert self.problems == [], "\n".join(self.problems)


def new_page(browser, production, mode):
    context = browser.new_context(
        base_url=production.url,
        locale="en-GB",
        extra_http_headers=PROXY_HEADERS,
        **MODES[mode],
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    return Watched(page)


@pytest.mark.parametrize("mode", list(MODES))
def test_public_pages_are_styled(browser, production, mode):
    watched = new_page(browser, production, mode)
    java_script = MODES[mode]["java_script_enabled"]
    try:
        for path in ("/", "/aide/", "/connexion/", "/verifier/", "/accessibilite/"):
            response = watched.page.goto(path)
            assert response.status == 200, (path, response.status)
            watched.assert_styled(java_script=java_script)
        watched.page.goto("/connexion/")
        button = watched.page.get_by_role("main").get_by_role("button", name="Log in")
        background = button.evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == DSFR_BLUE, background
    finally:
        watched.page.context.close()
    assert "Internal Server Error" not in production.log_text()


def test_applicant_and_agent_log_in_with_secure_cookies(
    browser, production, applicant, agent_paris
):
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    # The test settings hash with MD5 for speed; the server knows only the production hashers.
    for user in (applicant, agent_paris):
        user.password = make_password(PASSWORD, hasher="argon2")
        user.save(update_fields=["password"])
    TOTPDevice.objects.create(user=agent_paris, name="test", key=TOTP_KEY_HEX, confirmed=True)
    watched = new_page(browser, production, "desktop")
    try:
        page = watched.page
        log_in_applicant(page, applicant.identifier, PASSWORD)
        page.get_by_role("heading", name=re.compile("My space")).wait_for()
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
        assert cookies["csrftoken"]["secure"]
        watched.assert_styled(java_script=True)
        page.goto("/aide/")
        watched.assert_styled(java_script=True)

        agent = new_page(browser, production, "no-js")
        log_in_agent(agent.page, agent_paris.identifier, PASSWORD)
        agent.assert_styled(java_script=False)
        agent.page.context.close()
    finally:
        watched.page.context.close()


def _get(production, path, headers):
    request = urllib.request.Request(production.url + path, headers=headers)  # noqa: S310
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as response:
        return response


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_pages_are_compressed_and_secure(production):
    response = _get(production, "/", {**PROXY_HEADERS, "Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(response.read()).decode()
    assert "République" in html
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]

    plain = _get(production, "/", {**PROXY_HEADERS})
    assert plain.headers.get("Content-Encoding") is None
    assert "République" in plain.read().decode()

    # Behind the proxy but over plain HTTP: sent to HTTPS.
    insecure = _get(production, "/", {"X-Forwarded-Proto": "http"})
    assert insecure.status == 301
    assert insecure.headers["Location"].startswith("https://")

    # Static files come pre-compressed by WhiteNoise, with a long cache life.
    css = re.search(r'href="(/static/dsfr/dist/dsfr/dsfr\.min\.[0-9a-f]{12}\.css)"', html)
    assert css, html[:2000]
    static = _get(production, css.group(1), {**PROXY_HEADERS, "Accept-Encoding": "gzip"})
    assert static.status == 200
    assert static.headers["Content-Encoding"] == "gzip"
    assert "immutable" in static.headers["Cache-Control"]


def _responses(production, view: str) -> float:
    scrape = _get(production, "/metrics", {"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scrape.status == 200
    pattern = re.compile(
        rf'^sejour_http_responses_total\{{status="2xx",view="{re.escape(view)}"\}} (\S+)$', re.M
    )
    found = pattern.search(scrape.read().decode())
    return float(found.group(1)) if found else 0.0


def test_metrics_add_up_across_gunicorn_workers_and_logs_are_json(production):
    assert _get(production, "/metrics", {}).status == 403  # token required
    before = _responses(production, "core:fees")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: _get(production, "/aide/tarifs/", PROXY_HEADERS), range(40))
        )
    assert {answer.status for answer in answers} == {200}
    # Whichever of the two processes answered, the scrape counts every request.
    assert _responses(production, "core:fees") == before + 40

    request_ids = {answer.headers["X-Request-ID"] for answer in answers}
    assert len(request_ids) == 40
    logged = [
        json.loads(line)
        for line in production.log.read_text().splitlines()
        if line.startswith("{") and '"sejour.request"' in line
    ]
    fees = [line for line in logged if line.get("view") == "core:fees"]
    assert request_ids <= {line["request_id"] for line in fees}
    assert {line["status"] for line in fees} == {200}

    # No worker runs beside this server: not ready, and it says why (JSON, no redirect).
    ready = _get(production, "/readyz", {})
    assert ready.status == 503
    assert json.loads(ready.read())["checks"]["worker"] == "failed"
