"""Login, lockout, logout and safe redirects."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD

LOGIN = reverse("accounts:login")
WRONG = "The number or the password is wrong."


@pytest.mark.django_db
def test_applicant_logs_in_with_number_and_password(client, applicant):
    response = client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    assert response.url == reverse("accounts:home")
    body = client.get(reverse("accounts:home")).content.decode()
    assert applicant.identifier in body
    assert AuditEvent.objects.filter(subject=applicant, action="account.logged_in").exists()


@pytest.mark.django_db
def test_wrong_password_and_unknown_number_get_the_same_message(client, applicant):
    wrong_password = client.post(LOGIN, {"identifier": applicant.identifier, "password": "nope"})
    unknown = client.post(LOGIN, {"identifier": "1234567890", "password": "nope"})
    assert WRONG in wrong_password.content.decode()
    assert WRONG in unknown.content.decode()
    assert (
        wrong_password.context["form"].non_field_errors()
        == unknown.context["form"].non_field_errors()
    )
    # The identifier typed stays in the form.
    assert f'value="{applicant.identifier}"' in wrong_password.content.decode()


@pytest.mark.django_db
def test_badly_formed_identifier_is_explained(client):
    response = client.post(LOGIN, {"identifier": "abc", "password": "x"})
    assert "10 digits" in str(response.context["form"].errors["identifier"])


@pytest.mark.django_db
def test_staff_cannot_use_the_applicant_login(client, agent_paris):
    agent_paris.identifier = "7512345678"
    agent_paris.save()
    response = client.post(LOGIN, {"identifier": "7512345678", "password": PASSWORD})
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_five_failures_lock_the_identifier_until_a_stated_time(client, applicant, settings):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER - 1):
        client.post(LOGIN, {"identifier": applicant.identifier, "password": "nope"})
    response = client.post(LOGIN, {"identifier": applicant.identifier, "password": "nope"})
    assert "Logging in is blocked until" in response.content.decode()
    assert AuditEvent.objects.filter(subject=applicant, action="account.locked").count() == 1

    # Even the right password is refused while locked.
    response = client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    assert "Logging in is blocked until" in response.content.decode()
    assert "_auth_user_id" not in client.session

    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS) + timedelta(hours=2)
    ):
        response = client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
        assert response.status_code == 302


@pytest.mark.django_db
def test_an_unknown_identifier_is_locked_the_same_way(client, settings):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        response = client.post(LOGIN, {"identifier": "1234567890", "password": "nope"})
    assert "Logging in is blocked until" in response.content.decode()


@pytest.mark.django_db
def test_many_failures_from_one_address_are_blocked(client, settings, applicant):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for index in range(3):
        client.post(LOGIN, {"identifier": f"100000000{index}", "password": "nope"})
    response = client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    assert "Logging in is blocked until" in response.content.decode()


@pytest.mark.django_db
def test_logout_needs_a_post(client, applicant):
    client.force_login(applicant)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("core:home")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_next_parameter_cannot_redirect_elsewhere(client, applicant):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"identifier": applicant.identifier, "password": PASSWORD},
    )
    assert response.url == reverse("accounts:home")
    client.logout()
    response = client.post(
        LOGIN + "?next=/aide/", {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert response.url == "/aide/"


@pytest.mark.django_db
def test_my_space_needs_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.django_db
def test_my_space_shows_only_my_own_document(client, applicant, other_applicant):
    client.force_login(applicant)
    body = client.get(reverse("accounts:home")).content.decode()
    assert applicant.identifier in body
    assert other_applicant.identifier not in body
    assert "Pereira" not in body


def _change(client, current, new="another long passphrase"):
    return client.post(
        reverse("accounts:password_change"),
        {"current_password": current, "new_password": new, "new_password_confirm": new},
    )


@pytest.mark.django_db
def test_guessing_the_current_password_on_the_change_form_locks_like_login(
    client, applicant, settings
):
    client.force_login(applicant)
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER - 1):
        response = _change(client, "a wrong guess")
        assert "This is not your current password." in str(response.context["form"].errors)
    response = _change(client, "the last wrong guess")
    errors = str(response.context["form"].errors)
    assert "Changing the password is blocked until" in errors
    # Locked: even the right password is refused, and nothing tells it was right.
    response = _change(client, PASSWORD)
    errors = str(response.context["form"].errors)
    assert "Changing the password is blocked until" in errors
    assert "This is not your current password." not in errors
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)
    # The same counter as the login door: logging in is blocked too.
    client.logout()
    response = client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(subject=applicant, action="account.locked").exists()


@pytest.mark.django_db
def test_the_new_password_field_cannot_test_guesses_of_the_current_one(client, applicant):
    client.force_login(applicant)
    response = _change(client, "a wrong guess", new=PASSWORD)
    errors = str(response.context["form"].errors)
    assert "Choose a password different" not in errors
    assert "This is not your current password." in errors


@pytest.mark.django_db
def test_a_right_current_password_changes_it_and_forgets_the_failures(client, applicant, settings):
    client.force_login(applicant)
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER - 1):
        _change(client, "a wrong guess")
    new = "another long passphrase"
    assert _change(client, PASSWORD, new).url == reverse("accounts:home")
    client.logout()
    client.post(reverse("accounts:login"), {"identifier": applicant.identifier, "password": "x"})
    response = client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": new}
    )
    assert response.status_code == 302
