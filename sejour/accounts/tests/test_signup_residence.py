"""Creating an account with a permit, a receipt or a validated VLS-TS (SPEC §2)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import EmailVerification, User
from sejour.audit.models import AuditEvent
from sejour.registry.models import DocumentKind, Motive

START = reverse("accounts:signup_residence")
EMAIL_STEP = reverse("accounts:signup_email")


def dates(document):
    return {
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
    }


def signup_until_email(client, document, number, email="amina@example.org"):
    response = client.post(START, {"foreign_number": number, **dates(document)})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url == EMAIL_STEP
    return client.post(EMAIL_STEP, {"email": email, "email_confirm": email})


@pytest.mark.django_db
def test_permit_holder_creates_an_account_end_to_end(
    client, registry_person, outbox_link, django_capture_on_commit_callbacks
):
    permit = registry_person(foreign_number="7500000009")
    with django_capture_on_commit_callbacks(execute=True):
        response = signup_until_email(client, permit, "75 0000 0009")
    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_email_sent")
    assert "amina@example.org" in client.get(response.url).content.decode()

    link = outbox_link("amina@example.org")
    # Opening the link changes nothing: mail scanners open links too.
    assert client.get(link).status_code == 200
    assert not User.objects.filter(identifier="7500000009").exists()

    password = "my own long passphrase"
    response = client.post(link, {"new_password": password, "new_password_confirm": password})
    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    user = User.objects.get(identifier="7500000009")
    assert user.email == "amina@example.org"
    assert user.email_verified_at is not None
    assert user.password.startswith("md5$") or user.password.startswith("argon2")
    assert set(AuditEvent.objects.filter(subject=user).values_list("action", flat=True)) == {
        "account.created",
        "account.email_verified",
    }
    # Logged in straight away.
    assert client.get(reverse("accounts:home")).status_code == 200

    # The link works once.
    client.logout()
    response = client.post(link, {"new_password": password, "new_password_confirm": password})
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert User.objects.filter(identifier="7500000009").count() == 1


@pytest.mark.django_db
def test_vls_ts_reference_is_the_identifier(client, registry_person, outbox_link):
    vls_ts = registry_person(
        foreign_number="3700000004", kind=DocumentKind.VLS_TS, number="456789012", validated=True
    )
    response = signup_until_email(client, vls_ts, "3700000004", "oleks@example.org")
    assert response.status_code == 302
    link = outbox_link("oleks@example.org")
    client.post(
        link,
        {
            "new_password": "x" * 8 + " long enough",
            "new_password_confirm": "x" * 8 + " long enough",
        },
    )
    assert User.objects.filter(identifier="3700000004").exists()


@pytest.mark.django_db
def test_a_vls_ts_not_yet_validated_is_not_eligible(client, registry_person):
    vls_ts = registry_person(
        foreign_number="3700000005", kind=DocumentKind.VLS_TS, number="456789013"
    )
    response = client.post(START, {"foreign_number": "3700000005", **dates(vls_ts)})
    assert response.url == reverse("accounts:ineligible")


@pytest.mark.django_db
def test_legacy_nine_digit_number_is_accepted(client, registry_person):
    permit = registry_person(foreign_number="330100005")
    response = client.post(START, {"foreign_number": "330100005", **dates(permit)})
    assert response.status_code == 302
    assert client.session["signup"]["foreign_number"] == "330100005"


@pytest.mark.django_db
def test_receipt_holder_can_sign_up(client, registry_person):
    receipt = registry_person(foreign_number="5900000008", kind=DocumentKind.RECEIPT)
    response = client.post(START, {"foreign_number": "5900000008", **dates(receipt)})
    assert response.url == EMAIL_STEP


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["12345", "75000000011", "75000A0001", ""])
def test_wrong_number_format_is_refused_next_to_the_field(client, registry_person, number):
    permit = registry_person(foreign_number="7500000009")
    response = client.post(START, {"foreign_number": number, **dates(permit)})
    assert response.status_code == 200
    form = response.context["form"]
    assert "foreign_number" in form.errors
    # What was typed stays in the form.
    body = response.content.decode()
    assert permit.valid_from.isoformat() in body


@pytest.mark.django_db
def test_dates_in_the_wrong_order_are_refused(client, registry_person):
    permit = registry_person(foreign_number="7500000009")
    response = client.post(
        START,
        {
            "foreign_number": "7500000009",
            "valid_from": permit.valid_until.isoformat(),
            "valid_until": permit.valid_from.isoformat(),
        },
    )
    assert response.context["form"].errors["valid_until"] == [
        "The end of validity must be after the start of validity."
    ]


@pytest.mark.django_db
def test_impossible_date_is_refused_without_error(client, registry_person):
    response = client.post(
        START, {"foreign_number": "7500000009", "valid_from": "2025-02-30", "valid_until": "x"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"valid_from", "valid_until"}


@pytest.mark.django_db
def test_dates_not_matching_the_registry_are_refused(client, registry_person):
    permit = registry_person(foreign_number="7500000009")
    response = client.post(
        START,
        {
            "foreign_number": "7500000009",
            "valid_from": permit.valid_from.isoformat(),
            "valid_until": (permit.valid_until + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "We found no document" in response.content.decode()
    assert "7500000009" in response.content.decode()


@pytest.mark.django_db
def test_unknown_number_gets_the_same_answer_as_wrong_dates(client, registry_person):
    permit = registry_person(foreign_number="7500000009")
    response = client.post(START, {"foreign_number": "7500000099", **dates(permit)})
    assert "We found no document" in response.content.decode()


@pytest.mark.django_db
def test_existing_account_is_refused_with_a_way_out(client, applicant):
    permit = applicant_document(applicant)
    response = client.post(START, {"foreign_number": applicant.identifier, **dates(permit)})
    assert response.status_code == 200
    assert "An account already exists" in str(response.context["form"].errors["foreign_number"])
    page = response.content.decode()
    # Both ways out are links, next to the field.
    assert f'<a href="{reverse("accounts:login")}">Log in</a>' in page
    assert f'<a href="{reverse("accounts:password_reset")}">“Forgotten password”</a>' in page


def applicant_document(user):
    from sejour.registry.models import ResidenceDocument

    return ResidenceDocument.objects.get(person__foreign_number=user.identifier)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [DocumentKind.PERMIT, DocumentKind.RECEIPT])
def test_any_permit_or_receipt_opens_an_account_whatever_its_motive(
    client, registry_person, outbox_link, kind
):
    """Decision 0010: an employee-permit holder gets an account (a change of address,
    a loss, or a talent permit asked for); what they may file is decided later."""
    permit = registry_person(
        foreign_number="5900000006", kind=kind, motive=Motive.EMPLOYEE, postcode="59000"
    )
    response = signup_until_email(client, permit, "5900000006", "karim@example.org")
    assert response.url == reverse("accounts:signup_email_sent")
    password = "my own long passphrase"
    client.post(
        outbox_link("karim@example.org"),
        {"new_password": password, "new_password_confirm": password},
    )
    assert User.objects.filter(identifier="5900000006").exists()


@pytest.mark.django_db
def test_email_step_without_a_document_goes_back_to_the_start(client):
    response = client.get(EMAIL_STEP)
    assert response.url == reverse("accounts:signup_start")


@pytest.mark.django_db
def test_email_addresses_that_differ_are_refused(client, registry_person):
    permit = registry_person(foreign_number="7500000009")
    client.post(START, {"foreign_number": "7500000009", **dates(permit)})
    response = client.post(EMAIL_STEP, {"email": "a@example.org", "email_confirm": "b@example.org"})
    assert "email_confirm" in response.context["form"].errors
    assert 'value="a@example.org"' in response.content.decode()
    response = client.post(EMAIL_STEP, {"email": "not an address", "email_confirm": "x"})
    assert "email" in response.context["form"].errors
    assert not EmailVerification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("123456789012345", "entirely numeric"),
        ("qwerty123456", "too common"),
    ],
)
def test_weak_password_is_refused_and_the_link_still_works(
    client, registry_person, outbox_link, password, message
):
    permit = registry_person(foreign_number="7500000009")
    signup_until_email(client, permit, "7500000009")
    link = outbox_link("amina@example.org")
    response = client.post(link, {"new_password": password, "new_password_confirm": password})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["new_password"])
    assert not User.objects.filter(identifier="7500000009").exists()
    good = "a sentence I will remember"
    client.post(link, {"new_password": good, "new_password_confirm": good})
    assert User.objects.filter(identifier="7500000009").exists()


@pytest.mark.django_db
def test_password_rule_is_stated_on_the_form(client, registry_person, outbox_link):
    permit = registry_person(foreign_number="7500000009")
    signup_until_email(client, permit, "7500000009")
    body = client.get(outbox_link("amina@example.org")).content.decode()
    assert "At least 12 characters" in body


@pytest.mark.django_db
def test_expired_link_is_refused(client, registry_person, outbox_link):
    permit = registry_person(foreign_number="7500000009")
    signup_until_email(client, permit, "7500000009")
    link = outbox_link("amina@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


@pytest.mark.django_db
def test_made_up_link_is_refused(client):
    response = client.get(reverse("accounts:verify", args=["made-up-token"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.mark.django_db
def test_two_tabs_create_one_account(client, registry_person, outbox_link):
    permit = registry_person(foreign_number="7500000009")
    signup_until_email(client, permit, "7500000009")
    signup_until_email(client, permit, "7500000009", email="other@example.org")
    first, second = outbox_link("amina@example.org"), outbox_link("other@example.org")
    good = "a sentence I will remember"
    client.post(first, {"new_password": good, "new_password_confirm": good})
    client.logout()
    response = client.post(second, {"new_password": good, "new_password_confirm": good})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.filter(identifier="7500000009").count() == 1


@pytest.mark.django_db
def test_too_many_signup_attempts_are_slowed_down(client, registry_person, settings):
    settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS = 3
    permit = registry_person(foreign_number="7500000009")
    wrong = {
        "foreign_number": "7500000009",
        "valid_from": "2020-01-01",
        "valid_until": "2021-01-01",
    }
    for _attempt in range(3):
        assert "We found no document" in client.post(START, wrong).content.decode()
    response = client.post(START, {"foreign_number": "7500000009", **dates(permit)})
    # The form again, with the message above it; the status says why (decision 0013).
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.RATE_LIMIT_WINDOW_SECONDS
    assert "Too many attempts. Please try again after" in response.content.decode()
