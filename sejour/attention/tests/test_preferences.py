"""A person's notice settings: mobile number, renewal reminders, weekly digest."""

import re

import pytest
from django.urls import reverse

from sejour.attention.models import NoticePreferences
from sejour.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = reverse("attention:preferences")


def test_saving_settings_is_audited_without_the_number(client, applicant):
    client.force_login(applicant)
    response = client.post(
        URL, {"mobile_phone": "06 12 34 56 78", "weekly_digest": "on", "language": "en"}
    )
    assert response.status_code == 302
    preferences = NoticePreferences.objects.get(user=applicant)
    assert preferences.mobile_phone == "+33612345678"
    assert preferences.renewal_reminders is False and preferences.weekly_digest is True
    event = AuditEvent.objects.get(action="account.notice_preferences_changed")
    assert event.subject == applicant
    assert "612345678" not in str(event.data)


def test_a_wrong_number_is_refused_next_to_the_field_and_nothing_is_lost(client, applicant):
    client.force_login(applicant)
    response = client.post(URL, {"mobile_phone": "01 23 45", "renewal_reminders": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give a French mobile number" in page
    assert 'value="01 23 45"' in page
    assert not NoticePreferences.objects.exists()


def test_the_form_shows_the_defaults_then_what_was_saved(client, applicant):
    client.force_login(applicant)
    page = client.get(URL).content.decode()
    assert len(re.findall(r'type="checkbox"[^>]*checked', page)) == 3
    client.post(URL, {"mobile_phone": "", "language": "en"})
    assert not re.search(r'type="checkbox"[^>]*checked', client.get(URL).content.decode())


def test_anonymous_people_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
