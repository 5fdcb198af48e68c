"""The weekly digest: the same list by e-mail, once a week, never empty, and off when
the person turns it off."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from sejour.applications.models import Status
from sejour.attention.models import DigestSent, NoticePreferences
from sejour.attention.services import digests_send
from sejour.notifications.models import OutboxMessage

from .helpers import application_for

pytestmark = pytest.mark.django_db


def digests(user):
    return OutboxMessage.objects.filter(recipient=user.email, subject__contains="this week")


def test_the_digest_lists_the_items_with_their_deadlines_and_links(applicant):
    due = date.today() + timedelta(days=10)
    application = application_for(applicant, status=Status.WAITING_APPLICANT, reply_due_on=due)
    assert digests_send() == 1
    body = digests(applicant).get().body
    assert application.reference in body
    assert f"/demarches/{application.reference}/complement/" in body
    assert "Add your mobile number" in body
    assert "/mon-espace/preferences/" in body


def test_once_a_week_whatever_the_number_of_runs(applicant):
    monday = date(2027, 3, 1)
    for offset in (0, 2, 6):
        with time_machine.travel(datetime(2027, 3, 1 + offset, 7), tick=False):
            digests_send()
    assert digests(applicant).count() == 1
    with time_machine.travel(datetime(2027, 3, 8, 7), tick=False):
        call_command("digests_send", stdout=__import__("io").StringIO())
    assert digests(applicant).count() == 2
    assert list(DigestSent.objects.values_list("week", flat=True).order_by("week")) == [
        monday,
        monday + timedelta(days=7),
    ]


def test_nothing_is_sent_when_nothing_needs_the_person(registry_person):
    from sejour.conftest import _applicant

    user = _applicant(registry_person, "7500000099", ends_in_days=730)
    NoticePreferences.objects.create(user=user, mobile_phone="+33612345678")
    assert digests_send() == 0
    assert not digests(user).exists()


def test_turned_off_means_not_sent(applicant, other_applicant):
    NoticePreferences.objects.create(user=applicant, weekly_digest=False)
    assert digests_send() == 1
    assert not digests(applicant).exists()
    assert digests(other_applicant).exists()


def test_staff_receive_no_digest(agent_paris, applicant):
    digests_send()
    assert not OutboxMessage.objects.filter(recipient=agent_paris.email).exists()


def test_the_digest_is_in_french_when_that_is_the_language_of_messages(applicant, settings):
    settings.LANGUAGE_CODE = "fr"
    digests_send()
    message = OutboxMessage.objects.get(recipient=applicant.email)
    assert message.subject == "Séjour : ce que vous avez à faire cette semaine"
    assert "Ajoutez votre numéro de portable" in message.body
