"""Visa holders: provisional access, sign-in links, and activation (SPEC §2)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.accounts.services import AccountError, account_activate_from_visa
from sejour.audit.models import AuditEvent
from sejour.conftest import outbox_text
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind, Motive, Person

START = reverse("accounts:signup_visa")
EMAIL_STEP = reverse("accounts:signup_email")


@pytest.fixture
def visa(registry_person):
    return registry_person(kind=DocumentKind.VLS, number="123456789", motive=Motive.TALENT)


def visa_form(document, number=None):
    return {
        "visa_number": number or document.number,
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
    }


def provisional_signup(client, visa, outbox_link, email="chinedu@example.org") -> User:
    assert client.post(START, visa_form(visa)).url == EMAIL_STEP
    client.post(EMAIL_STEP, {"email": email, "email_confirm": email})
    link = outbox_link(email)
    assert client.get(link).status_code == 200
    assert not User.objects.filter(visa_number=visa.number).exists()
    response = client.post(link)
    assert response.url == reverse("accounts:home")
    return User.objects.get(visa_number=visa.number)


@pytest.mark.django_db
def test_visa_holder_gets_provisional_access_after_verifying_the_email(client, visa, outbox_link):
    user = provisional_signup(client, visa, outbox_link)
    assert user.is_provisional
    assert user.identifier is None
    assert not user.has_usable_password()
    body = client.get(reverse("accounts:home")).content.decode()
    assert "123456789" in body
    assert set(AuditEvent.objects.filter(subject=user).values_list("action", flat=True)) == {
        "account.created",
        "account.email_verified",
    }


@pytest.mark.django_db
def test_visa_number_with_spaces_is_understood(client, visa):
    response = client.post(START, visa_form(visa, "123 456 789"))
    assert response.url == EMAIL_STEP


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["12345678", "1234567890", "12345678A"])
def test_wrong_visa_number_format_is_refused(client, visa, number):
    response = client.post(START, visa_form(visa, number))
    assert response.context["form"].errors["visa_number"] == [
        "A visa number has 9 digits, with no letters."
    ]


@pytest.mark.django_db
def test_visa_dates_must_match(client, visa):
    data = visa_form(visa)
    data["valid_from"] = (visa.valid_from - timedelta(days=1)).isoformat()
    response = client.post(START, data)
    assert "We found no visa" in response.content.decode()


@pytest.mark.django_db
def test_short_stay_visa_is_sent_to_the_prefecture(client, registry_person):
    short_stay = registry_person(kind=DocumentKind.VISA, number="345678901", postcode="33000")
    response = client.post(START, visa_form(short_stay))
    assert response.url == reverse("accounts:ineligible")
    assert "https://www.gironde.gouv.fr" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_visa_already_used_for_an_account_is_refused(client, visa, outbox_link):
    provisional_signup(client, visa, outbox_link)
    client.logout()
    response = client.post(START, visa_form(visa))
    assert "An account already exists for this visa" in str(
        response.context["form"].errors["visa_number"]
    )
    assert f'<a href="{reverse("accounts:visa_login")}">Log in with your visa number</a>' in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_provisional_holder_signs_in_with_an_emailed_link(client, visa, outbox_link):
    provisional_signup(client, visa, outbox_link)
    client.logout()
    response = client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    assert "If this visa number belongs to an account" in response.content.decode()
    link = outbox_link("chinedu@example.org")
    assert client.get(link).status_code == 200
    assert client.post(link).url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    # Once only.
    client.logout()
    assert client.post(link).status_code == 400


@pytest.mark.django_db
def test_visa_sign_in_answers_the_same_for_an_unknown_visa(client, visa):
    before = OutboxMessage.objects.count()
    response = client.post(reverse("accounts:visa_login"), {"visa_number": "999999999"})
    assert "If this visa number belongs to an account" in response.content.decode()
    assert OutboxMessage.objects.count() == before


@pytest.mark.django_db
def test_activation_gives_a_number_and_a_temporary_password_to_change_at_first_login(
    client, visa, outbox_link, agent_paris
):
    user = provisional_signup(client, visa, outbox_link)
    client.logout()

    number = account_activate_from_visa(user=user, by=agent_paris)

    user.refresh_from_db()
    assert user.identifier == number
    assert len(number) == 10 and number.isdigit()
    assert Person.objects.get(documents__number="123456789").foreign_number == number
    assert user.must_change_password
    event = AuditEvent.objects.get(subject=user, action="account.activated")
    assert event.actor == agent_paris
    email = OutboxMessage.objects.filter(recipient="chinedu@example.org").latest("id")
    assert number in email.body
    temporary = outbox_text(email).split("Temporary password:")[1].split()[0]

    response = client.post(reverse("accounts:login"), {"identifier": number, "password": temporary})
    assert response.status_code == 302
    # Every page leads to the password change until it is done.
    response = client.get(reverse("accounts:home"))
    assert response.url == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "current_password": temporary,
            "new_password": temporary,
            "new_password_confirm": temporary,
        },
    )
    assert "Choose a password different" in str(response.context["form"].errors)
    new = "my very own passphrase"
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": temporary, "new_password": new, "new_password_confirm": new},
    )
    assert response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert AuditEvent.objects.filter(subject=user, action="account.password_changed").exists()


@pytest.mark.django_db
def test_activation_happens_once(client, visa, outbox_link, agent_paris):
    user = provisional_signup(client, visa, outbox_link)
    account_activate_from_visa(user=user, by=agent_paris)
    user.refresh_from_db()
    with pytest.raises(AccountError):
        account_activate_from_visa(user=user, by=agent_paris)


@pytest.mark.django_db
def test_wrong_current_password_is_refused_on_change(client, applicant):
    from sejour.conftest import PASSWORD

    client.force_login(applicant)
    new = "another long passphrase"
    response = client.post(
        reverse("accounts:password_change"),
        {"current_password": "wrong", "new_password": new, "new_password_confirm": new},
    )
    assert "This is not your current password." in str(response.context["form"].errors)
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


@pytest.mark.django_db
def test_expired_sign_in_link_is_refused(client, visa, outbox_link):
    provisional_signup(client, visa, outbox_link)
    client.logout()
    client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    link = outbox_link("chinedu@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert client.post(link).status_code == 400


@pytest.mark.django_db
def test_an_older_sign_in_link_dies_once_a_newer_one_is_used(client, visa, outbox_link):
    provisional_signup(client, visa, outbox_link)
    client.logout()
    client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    older = outbox_link("chinedu@example.org")
    client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    newer = outbox_link("chinedu@example.org")
    assert older != newer
    assert client.post(newer).url == reverse("accounts:home")
    client.logout()
    response = client.post(older)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_links_die_when_the_account_is_activated(client, visa, outbox_link, agent_paris):
    user = provisional_signup(client, visa, outbox_link)
    client.logout()
    client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    link = outbox_link("chinedu@example.org")
    account_activate_from_visa(user=user, by=agent_paris)
    response = client.post(link)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_sign_in_link_opens_no_activated_account_even_if_still_unused(
    client, visa, outbox_link, agent_paris
):
    from sejour.accounts.models import EmailVerification

    user = provisional_signup(client, visa, outbox_link)
    client.logout()
    client.post(reverse("accounts:visa_login"), {"visa_number": "123456789"})
    link = outbox_link("chinedu@example.org")
    account_activate_from_visa(user=user, by=agent_paris)
    # Even if the row had escaped the ending (written by a request racing the activation).
    EmailVerification.objects.filter(path=EmailVerification.Path.VISA_LOGIN).update(used_at=None)
    assert client.post(link).status_code == 400
    assert "_auth_user_id" not in client.session
