"""Text messages on or off (issue 11 §5): e-mail always goes, the SMS only when the
person wants it, whatever number Séjour knows."""

import pytest
from django.urls import reverse

from sejour.applications.models import Decision, Status
from sejour.attention.models import NoticePreferences
from sejour.attention.tests.helpers import application_for
from sejour.attention.tests.test_reminders import OPENING, holder, run_days
from sejour.audit.models import AuditEvent
from sejour.instruction.services import permit_mark_made
from sejour.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
URL = reverse("attention:preferences")


def test_turning_text_messages_off_is_saved_and_audited(client, applicant):
    client.force_login(applicant)
    page = client.get(URL).content.decode()
    assert "Send me text messages (SMS) at this number" in page
    response = client.post(
        URL,
        {"mobile_phone": "06 12 34 56 78", "renewal_reminders": "on", "language": "en"},
    )
    assert response.status_code == 302
    preferences = NoticePreferences.objects.get(user=applicant)
    assert preferences.text_messages is False and preferences.mobile_phone == "+33612345678"
    event = AuditEvent.objects.get(action="account.notice_preferences_changed")
    assert "text_messages" in event.data["changed"]


def test_reminder_goes_by_e_mail_only_when_text_messages_are_off():
    user = holder("7500000981", phone="+33612345678")
    NoticePreferences.objects.filter(user=user).update(text_messages=False)
    sent = run_days(OPENING, OPENING)
    assert [channel for _, channel, _ in sent] == ["email"]


def test_reminder_goes_by_sms_too_when_text_messages_are_on():
    holder("7500000982", phone="+33612345678")
    sent = run_days(OPENING, OPENING)
    assert [channel for _, channel, _ in sent] == ["email", "sms"]


@pytest.mark.parametrize("text_messages, sms_count", [(True, 1), (False, 0)])
def test_permit_available_sms_follows_the_setting(
    applicant, agent_paris, django_capture_on_commit_callbacks, text_messages, sms_count
):
    NoticePreferences.objects.create(user=applicant, text_messages=text_messages)
    application = application_for(
        applicant,
        status=Status.DECISION_TAKEN,
        decision=Decision.FAVOURABLE,
        answers={"personal": {"phone": "06 12 34 56 78"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        permit_mark_made(application=application, by=agent_paris)
    assert OutboxMessage.objects.filter(channel=OutboxMessage.Channel.SMS).count() == sms_count
    # The e-mail is a legal notice: it goes either way.
    assert OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.EMAIL, recipient=applicant.email
    ).exists()
