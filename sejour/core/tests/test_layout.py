"""The layout every page shares, and the language switch."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

PUBLIC_PAGES = [
    "core:home",
    "core:help",
    "support:contact",
    "accounts:signup_start",
    "accounts:signup_residence",
    "accounts:signup_visa",
    "accounts:login",
    "accounts:visa_login",
    "accounts:password_reset",
    "accounts:help_existing_account",
    "accounts:help_where_is_my_number",
    "accounts:ineligible",
    "accounts:signup_email_sent",
    "transparency",
    "attestations:verify_form",
    "instruction:login",
    "core:accessibility",
    "core:fees",
    "core:stamps",
    "support:contact",
]


@pytest.fixture
def french(settings):
    settings.LANGUAGE_CODE = "fr"


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_has_the_shared_layout_in_french(client, french, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode().replace("\u00a0", " ")
    assert '<html lang="fr"' in body
    assert 'href="#content"' in body and 'id="content"' in body
    assert "Nous contacter" in body
    assert "Besoin d’aide ?" in body
    assert 'name="language" value="en"' in body
    assert 'role="contentinfo"' in body
    assert "<h1" in body


@pytest.mark.django_db
def test_language_switch_is_remembered(client, french):
    assert "Nous contacter" in client.get("/").content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/aide/"})
    assert response.status_code == 302
    assert response.url == "/aide/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert (
        response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    )
    body = client.get("/").content.decode()
    assert '<html lang="en"' in body
    assert "Contact us" in body and "Need help?" in body
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Nous contacter" in client.get("/").content.decode()


@pytest.mark.django_db
def test_language_switch_does_not_redirect_elsewhere(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def untranslated_entries(po_text: str) -> list[str]:
    """msgids of a .po file that are fuzzy or have an empty translation."""
    problems = []
    for entry in po_text.split("\n\n"):
        lines = [line for line in entry.strip().splitlines() if not line.startswith("#~")]
        msgid = "".join(
            line.split('"', 1)[1].rsplit('"', 1)[0]
            for line in lines
            if line.startswith(("msgid ", '"'))
            and not any(previous.startswith("msgstr") for previous in lines[: lines.index(line)])
        )
        if not msgid:
            continue  # the header
        translations = [line for line in lines if line.startswith("msgstr")]
        if any(line.startswith("#,") and "fuzzy" in line for line in lines) or any(
            line.endswith('""')
            and lines[lines.index(line) + 1 :][:1] in ([], [""])
            or (line.endswith('""') and not lines[lines.index(line) + 1 :])
            for line in translations
        ):
            problems.append(msgid)
    return problems


def test_french_catalogue_is_complete():
    po = (settings.LOCALE_PATHS[0] / "fr" / "LC_MESSAGES" / "django.po").read_text()
    assert untranslated_entries(po) == []


def test_untranslated_entry_is_detected():
    po = 'msgid ""\nmsgstr "Content-Type: x"\n\nmsgid "Hello"\nmsgstr ""\n'
    assert untranslated_entries(po) == ["Hello"]
    assert untranslated_entries('msgid "Hello"\nmsgstr "Bonjour"\n') == []


@pytest.mark.django_db
def test_help_page_shows_the_three_drawings(client):
    body = client.get(reverse("accounts:help_where_is_my_number")).content.decode()
    for drawing in ("drawing-visa-title", "drawing-permit-title", "drawing-vlsts-title"):
        assert f'id="{drawing}"' in body
    assert body.count('role="img"') >= 3


@pytest.mark.django_db
def test_static_assets_are_served_locally(client):
    body = client.get("/").content.decode()
    assert "/static/dsfr/" in body
    assert "cdn" not in body.lower()


@pytest.mark.django_db
def test_healthz_answers(client):
    assert client.get("/healthz").content == b"ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "others"),
    [
        ("fr", [("en", "English"), ("ar", "العربية")]),
        ("en", [("fr", "Français"), ("ar", "العربية")]),
        ("ar", [("fr", "Français"), ("en", "English")]),
    ],
)
def test_language_switch_names_each_language_in_itself(client, language, others):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("core:help")).content.decode()
    buttons = re.findall(
        r'<button type="submit" name="language" value="(\w+)" lang="(\w+)"[^>]*>\s*([^<]+?)<',
        body,
    )
    # The header and the mobile menu each offer the two other languages.
    assert sorted(set(buttons)) == sorted((code, code, name) for code, name in others)
    assert len(buttons) == 4
