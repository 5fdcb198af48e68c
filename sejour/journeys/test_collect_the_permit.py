"""Journey: a person whose permit is ready finds the appointment booked for them first
in "Mon espace", moves it to another day, and at the desk the agent finds them in the
day view, marks them arrived and goes on to the handover with stamps."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from sejour.collection import services
from sejour.collection.holidays import holidays_for
from sejour.collection.models import Booking
from sejour.collection.tests.helpers import ready_permit, site
from sejour.conftest import PASSWORD

from .helpers import label, log_in_agent, log_in_applicant

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_collect_the_permit(visit, applicant, agent_paris):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=agent_paris, name="t", key=TOTP_KEY_HEX, confirmed=True)
    # Open every day from 8:00 to 20:00 so the journey runs whatever the date.
    created = site(desks=2, weekdays=range(7), hours=((time(8), time(20)),))
    application = ready_permit(applicant)
    services.booking_offer_first(application=application, by=None)
    day = timezone.localdate() + timedelta(days=3)
    while day in holidays_for("75", day.year):
        day += timedelta(days=1)

    page = visit.new_page()
    log_in_applicant(page, applicant.identifier, PASSWORD)
    page.get_by_role("link", name="Keep or move the appointment").click()
    page.get_by_role("heading", name="Collect my residence permit").wait_for()
    page.get_by_role("heading", name="What to bring").wait_for()
    visit.check(page, "booking")
    page.get_by_label(label("Site")).select_option(str(created.pk))
    page.get_by_label(label("Day")).fill(day.isoformat())
    page.get_by_role("button", name="Show the free times").click()
    page.get_by_role("radio", name="10:00").check()
    visit.check(page, "free-times")
    page.get_by_role("button", name="Move my appointment to this time").click()
    page.get_by_text("Your new appointment is booked").wait_for()
    page.get_by_role("heading", name="Your appointment").wait_for()
    visit.check(page, "moved")
    booking = Booking.objects.get(application=application, status=Booking.Status.CONFIRMED)
    assert booking.starts_at.astimezone(timezone.get_current_timezone()).hour == 10

    desk = visit.new_page()
    log_in_agent(desk, agent_paris.identifier, PASSWORD)
    desk.get_by_role("link", name="Collection appointments by site").click()
    desk.get_by_role("link", name=f"Today at {created.name}").click()
    desk.get_by_role("heading", name=re.compile("Appointments at")).wait_for()
    visit.check(desk, "day-view-today")
    desk.goto(f"/agents/retrait/sites/{created.pk}/jour/?jour={day.isoformat()}")
    row = desk.get_by_role("row", name=re.compile("DIALLO"))
    row.get_by_role("button", name=re.compile("has arrived")).click()
    desk.get_by_text("Recorded as arrived.").wait_for()
    visit.check(desk, "day-view-arrived")
    desk.get_by_role("link", name=re.compile("Hand the permit over to")).click()
    desk.get_by_role("heading", name="Hand the permit over").wait_for()
