"""Permit made → offer (SMS, e-mail, .ics) → move → reminder → arrival → handover."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sejour.applications.models import Status
from sejour.collection import services
from sejour.collection.models import Booking
from sejour.instruction.tests.test_lifecycle import stamps
from sejour.notifications.models import OutboxMessage

from .helpers import decided, site, utc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media_root")]


def test_from_permit_made_to_handover(
    client, applicant, agent_paris, agent_client, django_capture_on_commit_callbacks
):
    from sejour.instruction.services import permit_mark_made

    created = site(desks=2)
    application = decided(applicant)
    with django_capture_on_commit_callbacks():
        permit_mark_made(application=application, by=agent_paris)
    assert OutboxMessage.objects.filter(attachment_name="appointment.ics").count() == 1
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    client.force_login(applicant)
    wanted = utc(2026, 6, 4, 8, 15)  # Thursday 10:15 in Paris
    response = client.post(
        reverse("collection:move", args=[application.reference]),
        {"slot": f"{created.pk}|{wanted.isoformat()}"},
    )
    assert response.status_code == 302
    booking = Booking.objects.get(application=application, status=Booking.Status.CONFIRMED)
    with time_machine.travel(utc(2026, 6, 2, 6, 0), tick=False):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    with time_machine.travel(wanted + timedelta(minutes=5), tick=False):
        agent = agent_client(agent_paris, Client())
        day = agent.get(reverse("collection:day", args=[created.pk]))
        assert "10:15" in day.content.decode()
        agent.post(reverse("collection:booking_action", args=[booking.pk, "arrived"]))
        response = agent.post(
            reverse("instruction:action", args=[application.reference, "hand_over"]),
            {"stamps": stamps(100)[0]},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == Status.HANDED_OVER
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ARRIVED
    client.force_login(applicant)
    assert (
        client.get(reverse("collection:booking", args=[application.reference])).status_code == 404
    )


def test_the_booking_page_in_french_and_arabic(client, applicant, settings):
    created = site()
    from .helpers import ready_permit

    application = ready_permit(applicant)
    services.booking_offer_first(application=application, by=None)
    client.force_login(applicant)
    url = reverse("collection:booking", args=[application.reference])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    text = client.get(url).content.decode()
    assert "Garder ce rendez-vous" in text and "lundi 1 juin 2026" in text
    assert "votre passeport" in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    text = client.get(url).content.decode()
    assert "الاحتفاظ بهذا الموعد" in text and 'dir="rtl"' in text
    assert created.name in text
