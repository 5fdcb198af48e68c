"""The admin's door: the agents' check and lockout, one answer for any failure (issue 17 §4)."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.models import User
from sejour.conftest import PASSWORD, TOTP_KEY_HEX, agent_code

ADMIN_LOGIN = reverse("admin:login")
AGENTS_LOGIN = reverse("instruction:login")
WRONG = "The identifier, the password or the code is wrong."


@pytest.fixture
def administrator(db) -> User:
    user = User.objects.create_superuser("root", PASSWORD, email="root@example.org")
    TOTPDevice.objects.create(user=user, name="Pixel of Jeanne", key=TOTP_KEY_HEX, confirmed=True)
    return user


def _admin_post(client, password, code="", identifier="root"):
    return client.post(
        ADMIN_LOGIN,
        {"username": identifier, "password": password, "otp_token": code, "next": "/admin/"},
    )


def _page(response) -> str:
    """The page without what changes on every request (the CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db
def test_a_right_password_without_a_code_reads_like_a_wrong_password(client, administrator):
    right = _admin_post(client, PASSWORD)
    wrong = _admin_post(client, "not the password")
    assert right.status_code == wrong.status_code == 200
    assert WRONG in right.content.decode()
    assert _page(right) == _page(wrong)
    assert "Pixel of Jeanne" not in right.content.decode()
    assert "OTP" not in right.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_password_with_a_wrong_code_reads_like_a_wrong_password(client, administrator):
    right = _admin_post(client, PASSWORD, "000000")
    wrong = _admin_post(client, "not the password", "000000")
    assert WRONG in right.content.decode()
    assert _page(right) == _page(wrong)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_administrator_enters_with_password_and_code(client, administrator):
    response = _admin_post(client, PASSWORD, agent_code())
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_an_agent_who_is_not_staff_cannot_enter_the_admin(client, agent_paris):
    TOTPDevice.objects.create(user=agent_paris, name="t", key=TOTP_KEY_HEX, confirmed=True)
    response = _admin_post(client, PASSWORD, agent_code(), identifier=agent_paris.identifier)
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_passwords_at_the_admin_door_lock_it_and_the_agents_door(
    client, administrator, settings
):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        response = _admin_post(client, "a wrong guess", agent_code())
    assert "Logging in is blocked until" in response.content.decode()
    # Locked: the right password and code are refused too, with the same answer.
    response = _admin_post(client, PASSWORD, agent_code())
    assert "Logging in is blocked until" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The same counter as the agents' door.
    response = client.post(
        AGENTS_LOGIN, {"identifier": "root", "password": PASSWORD, "code": agent_code()}
    )
    assert "Logging in is blocked until" in response.content.decode()


@pytest.mark.django_db
def test_failures_at_the_agents_door_lock_the_admin_door(client, administrator, settings):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(AGENTS_LOGIN, {"identifier": "root", "password": "x", "code": "123456"})
    response = _admin_post(client, PASSWORD, agent_code())
    assert "Logging in is blocked until" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_admin_door_counts_per_address_too(client, administrator, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for number in range(3):
        _admin_post(client, "x", identifier=f"someone{number}")
    response = _admin_post(client, PASSWORD, agent_code())
    assert "Logging in is blocked until" in response.content.decode()


@pytest.mark.django_db
def test_guessing_the_current_password_in_the_admin_locks_like_login(admin_client, settings):
    new = "a brand new admin passphrase"
    url = reverse("admin:password_change")
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        response = admin_client.post(
            url, {"old_password": "a guess", "new_password1": new, "new_password2": new}
        )
    assert "Logging in is blocked until" in response.content.decode()
    response = admin_client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert "Logging in is blocked until" in response.content.decode()
    assert User.objects.get(identifier="admin").check_password(PASSWORD)


@pytest.mark.django_db
def test_the_administrator_changes_the_password_with_the_right_current_one(admin_client):
    new = "a brand new admin passphrase"
    response = admin_client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert User.objects.get(identifier="admin").check_password(new)


@pytest.mark.django_db
def test_a_staff_lockout_is_audited_and_an_administrator_lifts_it(
    client, agent_paris, admin_client, settings
):
    from sejour.audit.models import AuditEvent

    TOTPDevice.objects.create(user=agent_paris, name="t", key=TOTP_KEY_HEX, confirmed=True)
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(AGENTS_LOGIN, {"identifier": "agent.paris", "password": "x", "code": "123456"})
    assert AuditEvent.objects.filter(subject=agent_paris, action="account.locked").exists()
    admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [agent_paris.pk]},
    )
    assert AuditEvent.objects.filter(subject=agent_paris, action="account.unlocked").exists()
    response = client.post(
        AGENTS_LOGIN, {"identifier": "agent.paris", "password": PASSWORD, "code": agent_code()}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_failures_at_the_agents_door_under_an_applicants_number_lock_no_applicant(
    client, applicant, settings
):
    from sejour.audit.models import AuditEvent

    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(
            AGENTS_LOGIN, {"identifier": applicant.identifier, "password": "x", "code": "123456"}
        )
    assert not AuditEvent.objects.filter(subject=applicant, action="account.locked").exists()
    response = client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert response.status_code == 302
