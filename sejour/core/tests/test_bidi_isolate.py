"""Latin fragments in brackets inside Arabic sentences are isolated (<bdi>)."""

import gzip
import re

import pytest
from django.conf import settings

from sejour.core.middleware import bidi_isolate

SHORT = '<bdi class="sejour-nowrap">'
ISOLATED_TERM = f"({SHORT}titre de séjour</bdi>)"


def test_latin_fragment_in_brackets_is_isolated_in_text_only():
    html = (
        '<p title="بطاقة (titre de séjour)">بطاقة الإقامة (titre de séjour)، الآن</p>'
        "<title>Séjour (test)</title><script>f('(a b)')</script>"
        '<textarea name="m">(keep me)</textarea><option>(as typed)</option>'
        "<!-- (a comment) --><p>ولد في Dakar (Sénégal) — (9 أرقام) (10)</p>"
        "<p>شهادة (attestation de prolongation d’instruction)</p>"
    )
    assert bidi_isolate(html) == (
        f'<p title="بطاقة (titre de séjour)">بطاقة الإقامة {ISOLATED_TERM}، الآن</p>'
        "<title>Séjour (test)</title><script>f('(a b)')</script>"
        '<textarea name="m">(keep me)</textarea><option>(as typed)</option>'
        f"<!-- (a comment) --><p>ولد في Dakar ({SHORT}Sénégal</bdi>) — (9 أرقام) (10)</p>"
        # A long fragment may wrap: isolated, without the one-line class.
        "<p>شهادة (<bdi>attestation de prolongation d’instruction</bdi>)</p>"
    )


def test_phone_numbers_in_groups_are_isolated_left_to_right():
    assert bidi_isolate("<p>بالهاتف: <strong>0 806 001 620</strong>، أو 39 39.</p>") == (
        '<p>بالهاتف: <strong><bdi dir="ltr">0 806 001 620</bdi></strong>، أو '
        '<bdi dir="ltr">39 39</bdi>.</p>'
    )
    # One number, a date, an amount: nothing to reorder.
    assert (
        bidi_isolate("<p>7 مارس 2027 — 1234,50 € — 10</p>") == "<p>7 مارس 2027 — 1234,50 € — 10</p>"
    )


@pytest.mark.django_db
def test_arabic_pages_isolate_the_kept_french_terms(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    body = client.get("/").content.decode()
    assert ISOLATED_TERM in body
    text_and_tags = re.sub(r'"[^"]*"', '""', body.split("<body", 1)[1])  # not attributes
    assert "(titre de séjour)" not in text_and_tags


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_left_to_right_pages_are_left_as_written(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert "<bdi" not in client.get("/aide/").content.decode()


@pytest.mark.django_db
def test_compressed_arabic_pages_are_isolated_before_compression(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert ISOLATED_TERM in gzip.decompress(response.content).decode()
