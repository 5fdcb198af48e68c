"""Administrators lift lockouts; no form answers 500 whatever it receives."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD

FORMS = [
    "accounts:signup_residence",
    "accounts:signup_visa",
    "accounts:login",
    "accounts:visa_login",
    "accounts:password_reset",
]
JUNK = [
    "",
    " ",
    "\x00",
    "7" * 5000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "٧٥٠١٠٠٠٠٠١",  # Arabic-Indic digits
    "2025-13-45",
    "../../etc/passwd",
    "\r\nBcc: x@example.org",
]


@pytest.mark.django_db
def test_administrator_lifts_a_lockout(admin_client, applicant, settings, client):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(
            reverse("accounts:login"), {"identifier": applicant.identifier, "password": "x"}
        )
    response = admin_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock", "_selected_action": [applicant.pk]},
        follow=True,
    )
    assert "1 account unlocked." in response.content.decode()
    event = AuditEvent.objects.get(subject=applicant, action="account.unlocked")
    assert event.actor.identifier == "admin"
    response = client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize("junk", JUNK)
def test_forms_never_answer_500(client, name, junk):
    fields = ("foreign_number", "visa_number", "valid_from", "valid_until")
    fields += ("identifier", "password", "email", "email_confirm")
    data = dict.fromkeys(fields, junk)
    response = client.post(reverse(name), data)
    assert response.status_code in (200, 302)
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("junk", JUNK[1:])
def test_links_with_junk_tokens_never_answer_500(client, junk):
    token = quote(junk, safe="")
    for name in ("accounts:verify", "accounts:visa_login_confirm"):
        url = reverse(name, args=["TOKEN"]).replace("TOKEN", token)
        assert client.get(url).status_code in (400, 404)
        assert client.post(url, {"new_password": junk}).status_code in (400, 404)


@pytest.mark.django_db
def test_admin_needs_the_second_factor(client):
    from sejour.accounts.models import User

    User.objects.create_superuser("root", "a long admin passphrase", email="r@example.org")
    client.force_login(User.objects.get(identifier="root"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
