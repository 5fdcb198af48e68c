"""A ready permit comes with an appointment: offered, kept, moved, given up; a freed slot
goes to whoever waits longest; reminders two days before, once."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from sejour.audit.models import AuditEvent
from sejour.collection import services
from sejour.collection.models import Booking, Closure, CollectionTally
from sejour.conftest import outbox_text
from sejour.notifications.models import OutboxMessage

from .helpers import NOW, decided, ready_permit, site, utc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "media_root")]


def test_permit_made_books_the_earliest_free_slot_and_says_everything(
    applicant, agent_paris, django_capture_on_commit_callbacks
):
    from sejour.instruction.services import permit_mark_made

    site(name="Sous-préfecture de test", is_main=False, postcodes="75011")
    site(name="Préfecture de police — Cité")
    application = decided(applicant, postcode="75011")
    with django_capture_on_commit_callbacks():
        permit_mark_made(application=application, by=agent_paris)
    booking = Booking.objects.get(application=application)
    assert booking.status == Booking.Status.OFFERED
    assert booking.site.name == "Sous-préfecture de test"  # the site naming the postcode
    # Now is 09:00 in Paris; the first slot at least two hours ahead is 11:00 (09:00 UTC).
    assert booking.starts_at == utc(2026, 6, 1, 9, 0)
    assert AuditEvent.objects.filter(action="collection.offered", application=application).exists()
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert sms.recipient == "+33612345678"
    assert "Monday 1 June 2026 at 11:00" in sms.body and "100 €" in sms.body
    email = OutboxMessage.objects.get(channel=OutboxMessage.Channel.EMAIL)
    body = outbox_text(email)
    assert "Monday 1 June 2026, 11:00" in body
    assert "Sous-préfecture de test" in body and "Entrée par le quai" in body
    assert "passport" in body and "receipt" in body and "electronic tax stamps" in body
    assert "timbres.impots.gouv.fr" in body
    assert f"/retrait/{application.reference}/" in body
    assert email.attachment_name == "appointment.ics"  # in the person's language
    ics = email.attachment.open("rb").read().decode()
    assert "DTSTART:20260601T090000Z" in ics and "DTEND:20260601T091500Z" in ics
    assert "BEGIN:VEVENT" in ics and application.reference in ics
    # The plain "ready, find how to collect it" message is not sent on top.
    assert OutboxMessage.objects.count() == 2
    assert CollectionTally.objects.get(prefecture=application.prefecture).waiting == 1


def test_without_a_site_the_person_gets_the_plain_message_and_waits(
    applicant, agent_paris, django_capture_on_commit_callbacks
):
    from sejour.instruction.services import permit_mark_made

    application = decided(applicant)
    with django_capture_on_commit_callbacks():
        permit_mark_made(application=application, by=agent_paris)
    assert not Booking.objects.exists()
    email = OutboxMessage.objects.get(channel=OutboxMessage.Channel.EMAIL)
    assert "is ready" in email.subject


def offered(user, **site_options):
    created = site(**site_options)
    application = ready_permit(user)
    booking = services.booking_offer_first(application=application, by=None)
    return created, application, booking


def test_the_holder_keeps_the_appointment(client, applicant):
    _site, application, booking = offered(applicant)
    client.force_login(applicant)
    page = client.get(reverse("collection:booking", args=[application.reference]))
    assert page.status_code == 200
    assert "Monday 1 June 2026, 11:00" in page.content.decode()
    response = client.post(reverse("collection:keep", args=[application.reference]))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert AuditEvent.objects.filter(action="collection.confirmed", actor=applicant).exists()


def move(client, application, moment, site_id):
    return client.post(
        reverse("collection:move", args=[application.reference]),
        {"slot": f"{site_id}|{moment.isoformat()}"},
    )


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (utc(2026, 5, 29, 8, 0), "already passed"),
        (utc(2026, 6, 3, 8, 0), "closed that day (Travaux)"),
        (utc(2026, 6, 6, 8, 0), "closed that day (not open on that day)"),
        (utc(2026, 7, 14, 8, 0), "closed that day (a public holiday)"),
        (utc(2026, 6, 2, 12, 0), "outside the site's opening hours"),
        (utc(2026, 6, 2, 8, 7), "outside the site's opening hours"),
        (utc(2026, 8, 20, 8, 0), "up to 30 days ahead"),
    ],
)
def test_a_bad_time_is_refused_next_to_the_field_and_the_appointment_kept(
    client, applicant, moment, message
):
    created, application, booking = offered(applicant)
    Closure.objects.create(
        site=created,
        starts_on=NOW.date() + timedelta(2),
        ends_on=NOW.date() + timedelta(2),
        reason="Travaux",
    )
    client.force_login(applicant)
    response = move(client, application, moment, created.pk)
    assert response.status_code == 400
    assert message in " ".join(response.context["slot_form"].errors["slot"])
    booking.refresh_from_db()
    assert booking.status == Booking.Status.OFFERED
    assert Booking.objects.filter(application=application).count() == 1


def test_a_slot_just_taken_is_refused_and_the_appointment_kept(client, applicant, other_applicant):
    created, application, booking = offered(applicant)
    other = ready_permit(other_applicant)
    wanted = utc(2026, 6, 2, 8, 0)
    services.booking_choose(application=other, site=created, starts_at=wanted, by=other_applicant)
    client.force_login(applicant)
    response = move(client, application, wanted, created.pk)
    assert response.status_code == 400
    assert "just been taken" in str(response.context["slot_form"].errors["slot"])
    booking.refresh_from_db()
    assert booking.status == Booking.Status.OFFERED


def test_garbage_is_refused_clearly(client, applicant):
    created, application, _booking = offered(applicant)
    client.force_login(applicant)
    for value in ("", "x|y", f"{created.pk}|2026-06-02T08:00:00", "999|2026-06-02T08:00:00+00:00"):
        response = client.post(
            reverse("collection:move", args=[application.reference]), {"slot": value}
        )
        assert response.status_code == 400, value
        assert response.context["slot_form"].errors["slot"], value


def test_moving_frees_the_slot_for_whoever_waited_longest(
    client, applicant, other_applicant, registry_person, django_capture_on_commit_callbacks
):
    from sejour.conftest import _applicant

    created, application, booking = offered(applicant)
    booking = services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 2, 9, 0), by=applicant
    )
    first_slot = booking.starts_at
    # Two people without an appointment; Lucas has waited longer.
    lucas = ready_permit(other_applicant, made=NOW - timedelta(days=9))
    lucas.prefecture = application.prefecture
    lucas.save()
    third = _applicant(registry_person, "7500000003", first_names="Sara")
    sara = ready_permit(third, made=NOW - timedelta(days=3))
    client.force_login(applicant)
    page = client.get(
        reverse("collection:booking", args=[application.reference]),
        {"site": created.pk, "day": "2026-06-02"},
    )
    assert "09:00" in page.content.decode()
    with django_capture_on_commit_callbacks():
        response = move(client, application, utc(2026, 6, 2, 7, 0), created.pk)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.MOVED
    new = Booking.objects.get(application=application, status=Booking.Status.CONFIRMED)
    assert new.starts_at == utc(2026, 6, 2, 7, 0)
    freed = Booking.objects.get(starts_at=first_slot, status=Booking.Status.OFFERED)
    assert freed.application == lucas
    assert freed.expires_at == NOW + timedelta(hours=24)
    assert OutboxMessage.objects.filter(
        recipient=other_applicant.email, subject__contains="earlier appointment"
    ).exists()
    assert AuditEvent.objects.filter(action="collection.moved", application=application).exists()
    # The offer is not taken in time: it passes to Sara.
    assert not Booking.objects.filter(application=sara).exists()
    freed.expires_at = NOW - timedelta(minutes=1)
    freed.save()
    assert services.offers_expire() == 1
    freed.refresh_from_db()
    assert freed.status == Booking.Status.EXPIRED
    passed = Booking.objects.get(starts_at=first_slot, status=Booking.Status.OFFERED)
    assert passed.application == sara
    # Lucas is waiting again and may still book a slot himself.
    assert services.waiting_applications(application.prefecture_id).filter(pk=lucas.pk).exists()


def test_an_expired_offer_cannot_be_kept(applicant, other_applicant):
    created, application, booking = offered(applicant)
    booking.expires_at = NOW - timedelta(minutes=5)
    booking.save()
    with pytest.raises(services.CollectionError, match="passed to someone else"):
        services.booking_keep(booking=booking, by=applicant)


def test_cannot_come_gives_the_slot_away_and_the_person_can_book_again(
    client, applicant, other_applicant
):
    created, application, booking = offered(applicant)
    booking = services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 2, 9, 0), by=applicant
    )
    lucas = ready_permit(other_applicant, made=NOW - timedelta(days=2))
    lucas.prefecture = application.prefecture
    lucas.save()
    client.force_login(applicant)
    response = client.post(
        reverse("collection:cancel", args=[application.reference]), {"reason": "Malade"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert Booking.objects.get(starts_at=booking.starts_at, status="offered").application == lucas
    event = AuditEvent.objects.get(action="collection.cancelled")
    assert event.data["reason"] == "Malade" and event.actor == applicant
    page = client.get(reverse("collection:booking", args=[application.reference]))
    assert "You have no appointment at the moment" in page.content.decode()
    response = move(client, application, utc(2026, 6, 3, 8, 0), created.pk)
    assert response.status_code == 302
    assert Booking.objects.get(application=application, status="confirmed")


def test_reminders_two_days_before_are_sent_once(applicant, django_capture_on_commit_callbacks):
    created, application, booking = offered(applicant)
    later = services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 3, 8, 30), by=applicant
    )
    OutboxMessage.objects.all().delete()
    assert services.reminders_send(now=NOW) == 1
    assert services.reminders_send(now=NOW) == 0
    assert services.reminders_send(now=NOW + timedelta(hours=3)) == 0
    later.refresh_from_db()
    assert later.reminded_at == NOW
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert "reminder" in sms.body and "Wednesday 3 June 2026 at 10:30" in sms.body
    assert OutboxMessage.objects.filter(channel="email", subject__contains="reminder").count() == 1
    assert AuditEvent.objects.filter(action="collection.reminded").count() == 1


def test_a_later_appointment_is_not_reminded_yet(applicant):
    created, application, booking = offered(applicant)
    services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 10, 8, 30), by=applicant
    )
    assert services.reminders_send(now=NOW) == 0


def test_outsiders_never_see_or_change_an_appointment(
    client, applicant, other_applicant, agent_rhone
):
    created, application, booking = offered(applicant)
    for intruder in (other_applicant, agent_rhone):
        client.force_login(intruder)
        assert (
            client.get(reverse("collection:booking", args=[application.reference])).status_code
            == 404
        )
        assert (
            client.get(reverse("collection:calendar", args=[application.reference])).status_code
            == 404
        )
        for name in ("keep", "cancel"):
            assert (
                client.post(reverse(f"collection:{name}", args=[application.reference])).status_code
                == 404
            )
        assert move(client, application, utc(2026, 6, 2, 8, 0), created.pk).status_code == 404
    booking.refresh_from_db()
    assert booking.status == Booking.Status.OFFERED
    client.logout()
    response = client.get(reverse("collection:booking", args=[application.reference]))
    assert response.status_code == 302


def test_slots_are_shown_only_for_a_ready_permit(client, applicant):
    from sejour.applications.models import Status

    created, application, booking = offered(applicant)
    application.status = Status.HANDED_OVER
    application.save()
    client.force_login(applicant)
    assert (
        client.get(reverse("collection:booking", args=[application.reference])).status_code == 404
    )


def test_staff_cannot_act_for_another_prefecture(applicant, agent_rhone, support_agent):
    created, application, booking = offered(applicant)
    with pytest.raises(PermissionError):
        services.booking_cancel(booking=booking, by=agent_rhone)
    services.booking_keep(booking=booking, by=support_agent)
    event = AuditEvent.objects.get(action="collection.confirmed")
    assert event.actor == support_agent and event.data["staff_on_behalf"] is True


def test_the_appointment_is_listed_first_in_my_space(client, applicant):
    created, application, booking = offered(applicant)
    from sejour.attention.selectors import attention_list

    items = attention_list(user=applicant, today=NOW.date())
    item = next(i for i in items if i.kind == "collection_to_confirm")
    assert "Monday 1 June 2026 at 11:00" in item.detail
    assert item.link_url == reverse("collection:booking", args=[application.reference])
    services.booking_keep(booking=booking, by=applicant)
    assert not [
        i
        for i in attention_list(user=applicant, today=NOW.date())
        if i.kind == "collection_to_confirm"
    ]


def test_earliest_slot_at_a_full_site_comes_from_another_desk_or_day(applicant, other_applicant):
    created = site(desks=2, hours=((time(11), time(11, 15)),))
    first = services.booking_offer_first(application=ready_permit(applicant), by=None)
    second = services.booking_offer_first(application=ready_permit(other_applicant), by=None)
    assert first.starts_at == second.starts_at == utc(2026, 6, 1, 9, 0)
    assert {first.desk, second.desk} == {1, 2}
    assert created.pk == first.site_id


def test_the_hourly_command_passes_offers_on_and_reminds_once(applicant, other_applicant):
    from io import StringIO

    from django.core.management import call_command

    created, application, booking = offered(applicant)
    services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 3, 9, 0), by=applicant
    )
    out = StringIO()
    call_command("collection_jobs", stdout=out)
    assert "0 offer(s) passed on, 0 waiting permit(s) booked, 1 reminder(s) sent." in out.getvalue()
    call_command("collection_jobs", stdout=out)
    assert "0 offer(s) passed on, 0 waiting permit(s) booked, 0 reminder(s) sent." in out.getvalue()


def test_the_history_says_in_words_what_happened(client, applicant):
    from sejour.applications.selectors import staff_history, timeline

    created, application, booking = offered(applicant)
    services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 3, 8, 30), by=applicant
    )
    labels = [line["label"] for line in timeline(application)]
    assert "Collection appointment booked for you: 1 June 2026 11:00, " + created.name in labels
    assert "Collection appointment moved to 3 June 2026 10:30, " + created.name in labels
    staff = [line["label"] for line in staff_history(application)]
    assert not [label for label in labels + staff if label.startswith("collection.")]


def test_every_event_about_an_application_has_words():
    import re
    from pathlib import Path

    from sejour.collection.history import LABELS

    source = Path(services.__file__).read_text()
    actions = set(re.findall(r'"(collection\.[a-z_]+)"', source))
    site_level = {a for a in actions if a.startswith(("collection.site_", "collection.hours_"))}
    site_level |= {"collection.closure_added", "collection.closure_removed"}
    site_level |= {"collection.threshold_changed"}  # about a prefecture, not a person
    assert actions - site_level <= set(LABELS), actions - site_level - set(LABELS)
    assert len(actions - site_level) >= 12


def test_an_overseas_appointment_is_told_in_local_time(
    registry_person, django_capture_on_commit_callbacks
):
    from sejour.conftest import _applicant

    person = _applicant(registry_person, "9740000001", postcode="97400")
    reunion = site("974", name="Préfecture de La Réunion", hours=((time(8), time(11)),))
    application = ready_permit(person, department="974", postcode="97400")
    booking = services.booking_offer_first(application=application, by=None)
    # 07:00 UTC is 11:00 in Saint-Denis: today is over; tomorrow 8:00 local is 04:00 UTC.
    assert booking.site == reunion
    assert booking.starts_at == utc(2026, 6, 2, 4, 0)
    sms = OutboxMessage.objects.get(channel="sms", recipient="+33612345678")
    assert "Tuesday 2 June 2026 at 08:00" in sms.body
    ics = OutboxMessage.objects.get(channel="email").attachment.open("rb").read().decode()
    assert "DTSTART:20260602T040000Z" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_the_waiting_count_is_recounted_from_the_applications(applicant, other_applicant):
    ready_permit(applicant)
    ready_permit(other_applicant)
    services.tallies_recount()
    assert CollectionTally.objects.get(prefecture__department_code="75").waiting == 2


def test_extreme_times_are_refused_without_an_error_page(client, applicant):
    created, application, _booking = offered(applicant)
    client.force_login(applicant)
    for value in (
        f"{created.pk}|9999-12-31T23:59:00+14:00",
        f"{created.pk}|0001-01-01T00:00:00+00:00",
    ):
        response = client.post(
            reverse("collection:move", args=[application.reference]), {"slot": value}
        )
        assert response.status_code == 400, value
    response = client.get(
        reverse("collection:booking", args=[application.reference]),
        {"site": created.pk, "day": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "Choose a day between today and" in response.content.decode()


def test_a_support_agent_helping_the_person_is_named_in_the_record(client, applicant):
    from sejour.support.middleware import NAME_KEY, SESSION_KEY

    _created, application, _booking = offered(applicant)
    client.force_login(applicant)
    session = client.session
    session[SESSION_KEY], session[NAME_KEY] = "support", "Sam Martin"
    session.save()
    assert client.post(reverse("collection:keep", args=[application.reference])).status_code == 302
    event = AuditEvent.objects.get(action="collection.confirmed")
    assert event.data["on_behalf_by"] == "support"
    assert event.data["on_behalf_by_name"] == "Sam Martin"


def test_a_site_closed_to_appointments_is_refused_and_the_booking_kept(client, applicant):
    created, application, booking = offered(applicant)
    other = site(name="Sous-préfecture fermée", is_main=False)
    other.is_active = False
    other.save()
    client.force_login(applicant)
    response = move(client, application, utc(2026, 6, 2, 8, 0), other.pk)
    assert response.status_code == 400
    assert "Choose one of your prefecture's sites." in response.context["slot_form"].errors["slot"]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.OFFERED and booking.site == created


def test_a_person_waiting_without_a_slot_is_offered_one_when_days_open(
    applicant, clock, django_capture_on_commit_callbacks
):
    """Full (here: closed) for the whole horizon at permit made: the person waits; as
    soon as a day with free slots comes within the horizon, the hourly jobs book it."""
    from sejour.collection.tasks import run_collection_jobs

    created = site()
    Closure.objects.create(
        site=created,
        starts_on=NOW.date(),
        ends_on=NOW.date() + timedelta(days=33),
        reason="Travaux",
    )
    application = ready_permit(applicant)
    assert services.booking_offer_first(application=application, by=None) is None
    assert services.offers_to_waiting() == 0  # still nothing free within the horizon
    clock.move_to(NOW + timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        result = run_collection_jobs.call()
    assert result["offered"] == 1
    booking = Booking.objects.get(application=application, status=Booking.Status.OFFERED)
    assert booking.starts_at == utc(2026, 7, 6, 7, 0)  # the first Monday after the works
    assert OutboxMessage.objects.filter(
        recipient=applicant.email, subject__contains="your appointment"
    ).exists()
    assert AuditEvent.objects.filter(action="collection.offered", application=application)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_collection_jobs.call()["offered"] == 0  # once


def test_a_person_who_said_they_cannot_come_is_not_rebooked_at_once(applicant, other_applicant):
    created, application, booking = offered(applicant)
    services.booking_cancel(booking=booking, by=applicant)
    assert services.offers_to_waiting() == 0
    assert not Booking.objects.filter(application=application, status__in=Booking.HOLDING)
    assert services.offers_to_waiting(now=NOW + services.OFFER_HOLD + timedelta(minutes=1)) == 1


def test_an_appointment_booked_less_than_two_days_ahead_gets_no_two_day_reminder(
    applicant, django_capture_on_commit_callbacks
):
    """The message at booking already says it all; a "reminder, in two days" for today's
    or tomorrow's appointment would be false."""
    created, application, booking = offered(applicant)
    assert booking.starts_at == utc(2026, 6, 1, 9, 0)  # today
    assert services.reminders_send(now=NOW) == 0
    tomorrow = services.booking_move(
        booking=booking, site=created, starts_at=utc(2026, 6, 2, 9, 0), by=applicant
    )
    assert services.reminders_send(now=NOW + timedelta(hours=1)) == 0
    tomorrow.refresh_from_db()
    assert tomorrow.reminded_at is None
    assert not OutboxMessage.objects.filter(subject__contains="reminder").exists()
