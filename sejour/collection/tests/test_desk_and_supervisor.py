"""At the desk (day view, arrived, no-show, walk-in, handover) and the supervisor's
sites, hours, closures and capacity."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sejour.audit.models import AuditEvent
from sejour.collection import services
from sejour.collection.models import Booking, CollectionSite, CollectionTally, OpeningHours
from sejour.notifications.models import OutboxMessage

from .helpers import NOW, ready_permit, site, utc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media_root")]


def booked(user, created, moment):
    application = ready_permit(user)
    services.booking_offer_first(application=application, by=None)
    booking = Booking.objects.get(application=application, status__in=Booking.ACTIVE)
    return application, services.booking_move(
        booking=booking, site=created, starts_at=moment, by=user
    )


def test_day_view_lists_the_day_by_time_without_n_plus_one(
    client, agent_paris, agent_client, applicant, other_applicant, registry_person
):
    from sejour.conftest import _applicant

    created = site(desks=2)
    booked(applicant, created, utc(2026, 6, 1, 9, 30))
    booked(other_applicant, created, utc(2026, 6, 1, 9, 15))
    agent = agent_client(agent_paris)
    url = reverse("collection:day", args=[created.pk])
    with CaptureQueriesContext(connection) as few:
        page = agent.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("11:15") < text.index("11:30")  # local time, by time
    assert "PEREIRA" in text and "DIALLO" in text
    for n in range(6):
        person = _applicant(registry_person, f"75000000{n + 10}")
        booked(person, created, utc(2026, 6, 1, 7, 15) + timedelta(minutes=15 * n))
    with CaptureQueriesContext(connection) as many:
        agent.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_arrival_then_handover_from_the_day_view(client, agent_paris, agent_client, applicant):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 1, 9, 30))
    agent = agent_client(agent_paris)
    response = agent.post(reverse("collection:booking_action", args=[booking.pk, "arrived"]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ARRIVED
    page = agent.get(reverse("collection:day", args=[created.pk]))
    handover = reverse("instruction:application", args=[application.reference])
    assert handover in page.content.decode()
    assert AuditEvent.objects.filter(action="collection.arrived", actor=agent_paris).exists()


def test_handover_counts_the_wait(applicant, agent_paris):
    from sejour.instruction.tests.test_lifecycle import stamps

    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 1, 9, 30))
    services.tally_permit_ready(application=application, change=1)
    from sejour.applications.models import Application

    Application.objects.filter(pk=application.pk).update(permit_made_at=NOW - timedelta(days=4))
    application.refresh_from_db()
    from sejour.instruction.services import permit_hand_over

    permit_hand_over(application=application, stamp_numbers=stamps(100), by=agent_paris)
    tally = CollectionTally.objects.get(prefecture=application.prefecture)
    assert (tally.waiting, tally.collected) == (0, 1)
    assert tally.total_wait_seconds == 4 * 86400


def test_a_no_show_gets_a_new_offer_and_the_second_tells_the_supervisor(
    applicant, agent_paris, supervisor_paris
):
    import time_machine

    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 1, 9, 30))
    with pytest.raises(services.CollectionError, match="not started yet"):
        services.booking_no_show(booking=booking, by=agent_paris)
    with time_machine.travel(utc(2026, 6, 1, 10, 0), tick=False):
        services.booking_no_show(booking=booking, by=agent_paris)
        second = Booking.objects.get(application=application, status="offered")
    assert second.starts_at > utc(2026, 6, 1, 10, 0)
    assert OutboxMessage.objects.filter(subject__contains="a new appointment").exists()
    assert not OutboxMessage.objects.filter(recipient=supervisor_paris.email).exists()
    with time_machine.travel(second.starts_at + timedelta(minutes=20), tick=False):
        services.booking_no_show(booking=second, by=agent_paris)
    told = OutboxMessage.objects.get(recipient=supervisor_paris.email)
    assert application.reference in told.subject and "2" in told.subject
    assert Booking.objects.filter(application=application, status="offered").count() == 1


def test_a_walk_in_is_served_and_recorded(client, agent_paris, agent_client, applicant):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 3, 9, 30))
    agent = agent_client(agent_paris)
    url = reverse("collection:walk_in", args=[created.pk])
    assert agent.post(url, {"reference": "SJ-NOPE"}).status_code == 400
    response = agent.post(url, {"reference": application.reference.lower()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    walk_in = Booking.objects.get(application=application, walk_in=True)
    assert walk_in.status == Booking.Status.ARRIVED
    assert AuditEvent.objects.filter(action="collection.walk_in", actor=agent_paris).exists()


def test_an_agent_books_for_the_person_recorded_as_such(
    client, agent_paris, agent_client, applicant
):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 3, 9, 30))
    agent = agent_client(agent_paris)
    url = reverse("collection:staff_booking", args=[application.reference])
    page = agent.get(url, {"site": created.pk, "day": "2026-06-04"})
    assert page.status_code == 200 and "11:00" in page.content.decode()
    far = agent.get(url, {"site": created.pk, "day": "9999-12-31"})
    assert far.status_code == 200 and "Choose a day between today and" in far.content.decode()
    response = agent.post(url, {"slot": f"{created.pk}|{utc(2026, 6, 4, 9, 0).isoformat()}"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="collection.moved", actor=agent_paris)
    assert event.data["staff_on_behalf"] is True and event.subject == applicant
    response = agent.post(url, {"cancel": "1", "reason": "Au téléphone"})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="collection.cancelled").data["staff_on_behalf"] is True


def test_agents_of_another_prefecture_and_applicants_are_kept_out(
    client, agent_rhone, agent_client, applicant, agent_paris
):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 3, 9, 30))
    agent = agent_client(agent_rhone)
    for url in (
        reverse("collection:day", args=[created.pk]),
        reverse("collection:staff_booking", args=[application.reference]),
    ):
        assert agent.get(url).status_code == 404
    assert (
        agent.post(reverse("collection:booking_action", args=[booking.pk, "arrived"])).status_code
        == 404
    )
    assert (
        agent.post(
            reverse("collection:walk_in", args=[created.pk]), {"reference": application.reference}
        ).status_code
        == 404
    )
    # An agent (not a supervisor) may not edit sites.
    paris = agent_client(agent_paris, Client())
    assert paris.get(reverse("collection:hours", args=[created.pk])).status_code == 403
    client.force_login(applicant)
    assert client.get(reverse("collection:day", args=[created.pk])).status_code in (302, 403)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_editing_hours_offers_new_slots_to_the_people_affected(
    agent_client, supervisor_paris, applicant, other_applicant
):
    created = site(hours=((time(9), time(12)), (time(14), time(16))))
    application, afternoon = booked(applicant, created, utc(2026, 6, 3, 12, 30))  # 14:30
    _other, morning = booked(other_applicant, created, utc(2026, 6, 3, 8, 0))  # 10:00
    supervisor = agent_client(supervisor_paris)
    url = reverse("collection:hours", args=[created.pk])
    data = {f"d{d}_1_opens": "09:00" for d in range(5)} | {
        f"d{d}_1_closes": "12:00" for d in range(5)
    }
    assert supervisor.post(url, {**data, "d2_1_closes": "08:00"}).status_code == 400
    OutboxMessage.objects.all().delete()
    response = supervisor.post(url, data)
    assert response.status_code == 302
    assert OpeningHours.objects.filter(site=created).count() == 5
    afternoon.refresh_from_db()
    morning.refresh_from_db()
    assert afternoon.status == Booking.Status.CANCELLED
    assert morning.status == Booking.Status.CONFIRMED
    new = Booking.objects.get(application=application, status="offered")
    assert new.starts_at.hour < 10  # within the new morning hours (before 12:00 in Paris)
    assert OutboxMessage.objects.filter(recipient=applicant.email).exists()
    assert not OutboxMessage.objects.filter(recipient=other_applicant.email).exists()
    assert AuditEvent.objects.filter(
        action="collection.hours_changed", actor=supervisor_paris
    ).exists()
    assert AuditEvent.objects.filter(action="collection.cancelled_by_prefecture").count() == 1


def test_a_closure_moves_the_appointments_of_those_days(agent_client, supervisor_paris, applicant):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 3, 8, 0))
    supervisor = agent_client(supervisor_paris)
    url = reverse("collection:closures", args=[created.pk])
    bad = supervisor.post(url, {"starts_on": "2026-06-05", "ends_on": "2026-06-03", "reason": "x"})
    assert bad.status_code == 400
    assert "comes after the first" in bad.content.decode()
    assert "onstraint" not in bad.content.decode()  # no internal code on the screen
    response = supervisor.post(
        url, {"starts_on": "2026-06-03", "ends_on": "2026-06-03", "reason": "Grève"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    new = Booking.objects.get(application=application, status="offered")
    assert new.starts_at.date() != booking.starts_at.date()


def test_site_form_refuses_bad_values_next_to_the_field(agent_client, supervisor_paris):
    supervisor = agent_client(supervisor_paris)
    response = supervisor.post(
        reverse("collection:site_new"),
        {
            "name": "Sous-préfecture",
            "address": "x",
            "slot_minutes": "2",
            "desks": "0",
            "postcodes": "750",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"slot_minutes", "desks", "postcodes"} <= set(errors)
    assert "onstraint" not in response.content.decode()
    response = supervisor.post(
        reverse("collection:site_new"),
        {
            "name": "Sous-préfecture",
            "address": "x",
            "slot_minutes": "20",
            "desks": "3",
            "postcodes": "75011 75012",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="collection.site_created").exists()


def test_capacity_view_reads_the_tally_with_few_queries(
    agent_client, supervisor_paris, applicant, other_applicant
):
    from sejour.collection.models import CapacityRule

    created = site(desks=2)
    CapacityRule.objects.create(prefecture=created.prefecture, warn_after_days=3)
    CollectionTally.objects.create(
        prefecture=created.prefecture, waiting=7, collected=2, total_wait_seconds=2 * 5 * 86400
    )
    booked(applicant, created, utc(2026, 6, 3, 8, 0))
    supervisor = agent_client(supervisor_paris)
    url = reverse("collection:capacity")
    with CaptureQueriesContext(connection) as few:
        page = supervisor.get(url)
    text = page.content.decode()
    assert "7 permits ready and not collected" in text
    assert "5.0 days" in text and "The wait is too long" in text
    booked(other_applicant, created, utc(2026, 6, 3, 8, 30))
    with CaptureQueriesContext(connection) as many:
        supervisor.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_new_main_site_takes_the_mark_from_the_old_one(agent_client, supervisor_paris):
    old = site()
    supervisor = agent_client(supervisor_paris)
    response = supervisor.post(
        reverse("collection:site_new"),
        {
            "name": "Nouveau site",
            "address": "x",
            "slot_minutes": "15",
            "desks": "1",
            "postcodes": "",
            "is_main": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert not old.is_main
    assert CollectionSite.objects.get(name="Nouveau site").is_main


def test_odd_dates_in_the_day_view_show_today_with_a_message(agent_client, agent_paris):
    created = site()
    agent = agent_client(agent_paris)
    url = reverse("collection:day", args=[created.pk])
    for value in ("9999-12-31", "0001-01-01", "2026-02-30", "demain"):
        response = agent.get(url, {"jour": value})
        assert response.status_code == 200, value
        assert response.context["day"] == NOW.date()


def test_the_sites_list_costs_the_same_with_more_sites(agent_client, agent_paris):
    site()
    agent = agent_client(agent_paris)
    url = reverse("collection:sites")
    with CaptureQueriesContext(connection) as few:
        assert agent.get(url).status_code == 200
    for n in range(5):
        site(name=f"Sous-préfecture {n}", is_main=False, postcodes=f"7501{n}")
    with CaptureQueriesContext(connection) as many:
        text = agent.get(url).content.decode()
    assert "Sous-préfecture 4" in text
    assert len(many.captured_queries) == len(few.captured_queries)


def test_closing_every_day_tells_the_person_their_appointment_is_cancelled(
    agent_client, supervisor_paris, applicant
):
    created = site()
    application, booking = booked(applicant, created, utc(2026, 6, 3, 8, 0))
    OutboxMessage.objects.all().delete()
    supervisor = agent_client(supervisor_paris)
    response = supervisor.post(reverse("collection:hours", args=[created.pk]), {})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert not Booking.objects.filter(application=application, status__in=Booking.HOLDING)
    told = OutboxMessage.objects.get(recipient=applicant.email)
    assert "cancelled" in told.subject and not told.attachment
    assert OutboxMessage.objects.filter(channel="sms", body__contains="cancelled").exists()


def test_the_supervisor_sets_the_warning_threshold(agent_client, supervisor_paris, agent_paris):
    from sejour.collection.models import CapacityRule

    created = site()
    CollectionTally.objects.create(
        prefecture=created.prefecture, waiting=1, collected=1, total_wait_seconds=10 * 86400
    )
    supervisor = agent_client(supervisor_paris)
    url = reverse("collection:capacity")
    assert "The wait is too long" not in supervisor.get(url).content.decode()  # 21 days
    for wrong in ("abc", "0", "400", ""):
        response = supervisor.post(url, {"warn_after_days": wrong})
        assert response.status_code == 400, wrong
        assert "from 1 to 365" in str(response.context["form"].errors["warn_after_days"])
    assert supervisor.post(url, {"warn_after_days": "7"}).status_code == 302
    assert CapacityRule.objects.get(prefecture=created.prefecture).warn_after_days == 7
    event = AuditEvent.objects.get(action="collection.threshold_changed")
    assert event.actor == supervisor_paris and event.data == {"from": 21, "to": 7}
    assert "The wait is too long" in supervisor.get(url).content.decode()
    agent = agent_client(agent_paris, Client())
    assert agent.post(url, {"warn_after_days": "1"}).status_code == 403


def test_the_warning_also_counts_permits_still_waiting_past_the_threshold(
    agent_client, supervisor_paris, applicant
):
    """No permit collected yet (no average), but one ready for 30 days, past the 21-day
    threshold: the supervisor is warned all the same."""
    site()
    supervisor = agent_client(supervisor_paris)
    url = reverse("collection:capacity")
    ready_permit(applicant, made=NOW - timedelta(days=10))
    assert "The wait is too long" not in supervisor.get(url).content.decode()
    ready_permit(applicant, made=NOW - timedelta(days=30))
    text = supervisor.get(url).content.decode()
    assert "The wait is too long" in text
    assert "has been waiting 30 days" in text
