"""Help centre: every in-page link resolves, the e-photo answer links the ANTS
map, and the permit drawing prints the number where French cards print it
(rule HELP-NUMBER-PLACE, FAQ: above the signature, or vertically on the right)."""

import re

import pytest
from django.urls import reverse

from sejour.core.help_content import ANTS_EPHOTO_MAP


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_in_page_anchor_of_the_help_centre_resolves(client, language):
    client.cookies["django_language"] = language
    page = client.get(reverse("core:help")).content.decode()
    anchors = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert anchors, "the help centre has a table of contents"
    assert anchors <= ids, anchors - ids


@pytest.mark.django_db
def test_every_help_link_to_the_number_drawings_renders(client):
    page = client.get(reverse("core:help")).content.decode()
    drawings = reverse("accounts:help_where_is_my_number")
    for slug in ("where-is-my-visa-number", "where-is-my-foreign-national-number"):
        entry = page[page.index(f'id="{slug}"') :]
        entry = entry[: entry.index("</details>")]
        assert f'href="{drawings}"' in entry, slug


@pytest.mark.django_db
def test_ephoto_help_links_the_ants_map(client):
    page = client.get(reverse("core:help")).content.decode()
    entry = page[page.index('id="get-an-ephoto"') :]
    entry = entry[: entry.index("</details>")]
    assert f'href="{ANTS_EPHOTO_MAP}"' in entry


@pytest.mark.django_db
def test_rule_help_number_place_drawing_puts_the_number_above_the_signature(client):
    page = client.get(reverse("accounts:help_where_is_my_number")).content.decode()
    number = re.search(r'id="permit-number" x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"', page)
    signature = re.search(r'id="permit-signature" d="M(\d+) (\d+)', page)
    assert number and signature
    x, y, width, height = map(int, number.groups())
    sign_x, sign_y = map(int, signature.groups())
    assert y + height <= 240 and y + height < sign_y  # above the signature's top
    assert x <= sign_x <= x + width  # and over it, not elsewhere on the card
    assert "rotate(-90" in page  # the other model: vertical on the right edge


@pytest.mark.django_db
def test_rule_account_existing_vls_ts_validators_are_told_they_have_no_account(client):
    """Validating a VLS-TS online or the former service made no Séjour account:
    the page says so and leads to the sign-up with a foreign-national number."""
    page = client.get(reverse("accounts:help_existing_account")).content.decode()
    assert "Yes, if you have already made any request" not in page
    assert "did not create a Séjour account" in page
    assert f'href="{reverse("accounts:signup_residence")}"' in page


@pytest.mark.django_db
def test_rule_account_existing_the_help_centre_answer_says_the_same(client):
    """The help centre's own "Do I already have an account?" answer must not tell a
    VLS-TS validator that the "Référence" is their identifier (no Séjour account
    was made): it says so and links the sign-up, like the dedicated page."""
    client.cookies["django_language"] = "en"
    page = client.get(reverse("core:help")).content.decode()
    entry = page[page.index('id="already-have-account"') :]
    entry = " ".join(entry[: entry.index("</details>")].split())
    assert "is your identifier. It is also your foreign-national number" not in entry
    assert "did not create a Séjour account" in entry
    assert f'href="{reverse("accounts:signup_residence")}"' in entry
