"""Forgotten password: a one-time, expiring link, and no account enumeration."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.audit.models import AuditEvent
from sejour.notifications.models import OutboxMessage

RESET = reverse("accounts:password_reset")
NEW = "a brand new passphrase"


@pytest.mark.django_db
def test_existing_and_unknown_identifiers_get_the_same_page(client, applicant):
    known = client.post(RESET, {"identifier": applicant.identifier})
    unknown = client.post(RESET, {"identifier": "1234567890"})
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert "accounts/link_sent.html" in [template.name for template in response.templates]
    assert OutboxMessage.objects.filter(recipient=applicant.email).count() == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_reset_link_sets_a_new_password_once(client, applicant, outbox_link):
    client.post(RESET, {"identifier": applicant.identifier})
    link = outbox_link(applicant.email)
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password": NEW, "new_password_confirm": NEW})
    assert response.url == reverse("accounts:login")
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)
    assert AuditEvent.objects.filter(subject=applicant, action="account.password_reset").exists()
    # The link is spent.
    response = client.post(
        link,
        {
            "new_password": "yet another passphrase",
            "new_password_confirm": "yet another passphrase",
        },
    )
    assert response.status_code == 400
    applicant.refresh_from_db()
    assert applicant.check_password(NEW)


@pytest.mark.django_db
def test_reset_link_expires(client, applicant, outbox_link, settings):
    client.post(RESET, {"identifier": applicant.identifier})
    link = outbox_link(applicant.email)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) + timedelta(hours=3)
    ):
        response = client.get(link)
    assert response.status_code == 400
    assert "has expired" in response.content.decode()


@pytest.mark.django_db
def test_tampered_reset_link_is_refused(client, applicant):
    response = client.get(reverse("accounts:password_reset_confirm", args=["Mg", "bad-token"]))
    assert response.status_code == 400
    response = client.get(reverse("accounts:password_reset_confirm", args=["!!!", "bad"]))
    assert response.status_code == 400


@pytest.mark.django_db
def test_weak_new_password_is_refused_and_the_link_keeps_working(client, applicant, outbox_link):
    client.post(RESET, {"identifier": applicant.identifier})
    link = outbox_link(applicant.email)
    response = client.post(link, {"new_password": "short", "new_password_confirm": "short"})
    assert response.status_code == 200
    assert "too short" in str(response.context["form"].errors)
    response = client.post(
        link, {"new_password": NEW, "new_password_confirm": "different one here"}
    )
    assert "The two passwords are different." in str(response.context["form"].errors)
    assert client.post(link, {"new_password": NEW, "new_password_confirm": NEW}).status_code == 302


@pytest.mark.django_db
def test_reset_ends_a_lockout(client, applicant, outbox_link, settings):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(
            reverse("accounts:login"), {"identifier": applicant.identifier, "password": "x"}
        )
    client.post(RESET, {"identifier": applicant.identifier})
    client.post(outbox_link(applicant.email), {"new_password": NEW, "new_password_confirm": NEW})
    assert AuditEvent.objects.filter(subject=applicant, action="account.unlocked").exists()
    response = client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": NEW}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_staff_get_no_applicant_reset_link(client, agent_paris):
    agent_paris.identifier = "7512345678"
    agent_paris.save()
    client.post(RESET, {"identifier": "7512345678"})
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_reset_requests_are_rate_limited(client, applicant, settings):
    settings.RATE_LIMIT_RESETS_PER_ADDRESS = 2
    for _attempt in range(2):
        client.post(RESET, {"identifier": "1234567890"})
    response = client.post(RESET, {"identifier": applicant.identifier})
    assert "Too many attempts" in response.content.decode()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_one_identifier_cannot_flood_its_mailbox(client, applicant):
    for _attempt in range(6):
        client.post(RESET, {"identifier": applicant.identifier})
    assert OutboxMessage.objects.filter(recipient=applicant.email).count() == 3
