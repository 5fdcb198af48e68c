"""Séjour's own error pages: DSFR layout, the person's language, a way back and the help
line; never Django's plain pages (tests run with DEBUG off, as in production)."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.urls("sejour.core.tests.error_urls")

HEADINGS = {
    "fr": {
        400: "La demande n’a pas pu être lue",
        403: "Accès refusé",
        404: "Page introuvable",
        429: "Trop de demandes",
        500: "Erreur inattendue",
        "csrf": "Cette page a expiré",
    },
    "en": {
        400: "The request could not be read",
        403: "Access denied",
        404: "Page not found",
        429: "Too many requests",
        500: "Unexpected error",
        "csrf": "This page has expired",
    },
    "ar": {
        400: "تعذّرت قراءة الطلب",
        403: "الوصول مرفوض",
        404: "الصفحة غير موجودة",
        429: "طلبات كثيرة جدًا",
        500: "خطأ غير متوقع",
        "csrf": "انتهت صلاحية هذه الصفحة",
    },
}
HELP_CENTRE = {"fr": "Centre d’aide", "en": "Help centre", "ar": "مركز المساعدة"}
# What Django's own pages say: never shown.
FRAMEWORK_WORDS = [
    "Server Error (500)",
    "Bad Request (400)",
    "403 Forbidden",
    "Not Found</h1>",
    "CSRF verification failed",
    "Traceback",
    "technical_500",
]


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def assert_error_page(response, language, status, key=None):
    body = response.content.decode()
    assert response.status_code == status
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}"' in body
    assert f"<h1>{HEADINGS[language][key or status]}</h1>" in body
    assert str(status) in body.split("<h1>", 1)[1].split("</p>", 1)[0]  # "Error 404" under it
    assert 'href="/"' in body and 'href="/aide/"' in body and HELP_CENTRE[language] in body
    assert settings.SUPPORT_PHONE in body
    assert ("sejour/rtl." in body) == (language == "ar")
    for words in FRAMEWORK_WORDS:
        assert words not in body
    return body


LANGUAGES = ["fr", "en", "ar"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_page_answers_the_404_page_in_the_persons_language(client, language):
    assert_error_page(_in(client, language).get("/nulle-part/"), language, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_refused_request_answers_the_400_page(client, language):
    assert_error_page(_in(client, language).get("/essai/400/"), language, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_host_answers_the_400_page_not_djangos(client, language):
    response = _in(client, language).get("/", HTTP_HOST="attaquant.example")
    assert_error_page(response, language, 400)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_forbidden_answers_the_403_page(client, language):
    assert_error_page(_in(client, language).get("/essai/403/"), language, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_applicant_in_the_employers_space_gets_the_403_page(client, applicant, language):
    client.force_login(applicant)
    assert_error_page(_in(client, language).get("/employeurs/espace/"), language, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_form_sent_without_its_token_says_the_page_expired(language):
    client = _in(Client(enforce_csrf_checks=True), language)
    response = client.post(
        "/connexion/",
        {"identifier": "7500000001", "password": "x"},
        HTTP_REFERER="http://testserver/connexion/",
    )
    body = assert_error_page(response, language, 403, "csrf")
    assert 'href="http://testserver/connexion/"' in body  # back to the page, to retry


@pytest.mark.django_db
def test_expired_page_never_links_back_to_another_site():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {}, HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_request_over_a_limit_answers_the_429_page_with_retry_after(client, language):
    response = _in(client, language).get("/essai/429/")
    body = assert_error_page(response, language, 429)
    assert 240 <= int(response["Retry-After"]) <= 300
    assert ":" in body.split("<h1>", 1)[1]  # the time to try again after


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("logged_in", [False, True])
def test_500_page_renders_while_the_database_is_unavailable(applicant, language, logged_in):
    client = _in(Client(raise_request_exception=False), language)
    if logged_in:
        client.force_login(applicant)  # the session, then the user, are read from the database
    down = OperationalError("could not connect to server")
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=down
    ) as connect:
        response = client.get("/essai/500/")
    assert connect.called
    body = assert_error_page(response, language, 500)
    assert "<script" in body  # the DSFR's script: the page is the full layout


@pytest.mark.django_db
def test_500_page_language_switch_works_without_a_session(client):
    client.raise_request_exception = False
    body = client.get("/essai/500/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="next" value="/essai/500/"' in body


@pytest.mark.django_db
def test_employer_signup_over_the_limit_keeps_the_form_and_answers_429(client, settings):
    from sejour.employers.tests.conftest import BAKERY_SIRET

    settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS = 1
    posted = {"siret": BAKERY_SIRET, "email": "rh@dupain.example"}
    assert client.post("/employeurs/inscription/", posted).status_code != 429
    response = client.post("/employeurs/inscription/", posted)
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many attempts" in body and 'value="rh@dupain.example"' in body


@pytest.mark.django_db
def test_an_ordinary_form_error_is_not_a_429(client):
    response = client.post("/compte/creer/titre/", {"foreign_number": "12"})
    assert response.status_code == 200 and "Retry-After" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_500_page_answers_when_the_full_one_cannot_render(language, caplog):
    from django.template import loader

    real = loader.get_template

    def failing(name, *args, **kwargs):
        if name == "errors/500.html":
            raise RuntimeError("a broken template")
        return real(name, *args, **kwargs)

    client = _in(Client(raise_request_exception=False), language)
    with mock.patch("sejour.core.errors.loader.get_template", side_effect=failing):
        response = client.get("/essai/500/")
    body = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}"' in body
    assert f"<h1>{HEADINGS[language][500]}</h1>" in body
    assert settings.SUPPORT_PHONE in body  # written in the template: it may use no setting
    assert 'href="/"' in body and 'href="/aide/"' in body
    assert "The 500 page could not render" in caplog.text
