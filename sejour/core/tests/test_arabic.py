"""Arabic for applicants: right-to-left pages, Arabic words, Western digits; back-office in French."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation


def _arabic(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["core:home", "core:help", "accounts:login", "accounts:signup_start", "support:contact"]
)
def test_applicant_page_in_arabic_is_right_to_left_with_its_stylesheet(client, name):
    _arabic(client)
    body = client.get(reverse(name)).content.decode()
    assert '<html lang="ar" dir="rtl"' in body
    assert "sejour/rtl." in body
    assert "اتصلوا بنا" in body or "تسجيل الدخول" in body


@pytest.mark.django_db
def test_french_and_english_pages_are_left_to_right_without_the_rtl_stylesheet(client):
    for language in ("fr", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        body = client.get("/").content.decode()
        assert f'<html lang="{language}" dir="ltr"' in body
        assert "rtl.css" not in body and "sejour/rtl." not in body


@pytest.mark.django_db
def test_arabic_can_be_chosen_with_the_language_switch(client):
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/aide/"})
    assert response.url == "/aide/"
    body = client.get("/aide/").content.decode()
    assert '<html lang="ar" dir="rtl"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["instruction:login"])
def test_back_office_stays_french_when_arabic_is_chosen(client, path):
    _arabic(client)
    response = client.get(reverse(path))
    body = response.content.decode()
    assert '<html lang="fr" dir="ltr"' in body
    assert response["Content-Language"] == "fr"
    # The applicant's own pages are still in Arabic: the choice is kept.
    assert '<html lang="ar"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_back_office_pages_of_a_logged_in_agent_are_french_under_arabic(client, agent_paris):
    client.force_login(agent_paris)
    _arabic(client)
    response = client.get("/agents/")
    assert response["Content-Language"] == "fr"


def test_arabic_dates_and_amounts_use_western_digits_and_arabic_month_names():
    with translation.override("ar"):
        written = formats.date_format(datetime.date(2026, 9, 30), "DATE_FORMAT")
        amount = formats.number_format(1234.5, 2, use_l10n=True, force_grouping=True)
    assert written == "30 سبتمبر، 2026"
    assert not any("\u0660" <= character <= "\u0669" for character in written + amount)
    assert amount == "1234,50"


def test_arabic_catalogue_is_complete_with_six_plural_forms():
    from sejour.core.tests.test_layout import untranslated_entries

    po = (settings.LOCALE_PATHS[0] / "ar" / "LC_MESSAGES" / "django.po").read_text()
    assert "nplurals=6;" in po
    assert untranslated_entries(po) == []
    with translation.override("ar"):
        assert translation.gettext("Log in") == "تسجيل الدخول"
