"""Two people taking the last slot at the same moment: exactly one gets it (threads,
on SQLite and on PostgreSQL)."""

import threading
from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from sejour.collection import selectors, services
from sejour.collection.models import Booking

from .helpers import ready_permit, site


def race(work, arguments):
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            barrier.wait()
            outcomes.append(work(argument))
        except Exception as error:  # noqa: BLE001 — reported in the assertions
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def one_slot_site():
    # Open every day, all day, one desk: the slot wanted is simply the next free one.
    return site(desks=1, weekdays=range(7), hours=((time(0), time(23, 45)),))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_choosing_the_same_slot_only_one_gets_it(applicant, other_applicant):
    created = one_slot_site()
    applications = [ready_permit(applicant), ready_permit(other_applicant, department="75")]
    fresh = selectors.sites_with_calendar(created.prefecture_id)
    now = timezone.now()
    # A slot a few days ahead that is not a holiday.
    slot = selectors.free_slots(fresh, start=now + timedelta(days=3), end=now + timedelta(days=9))[
        0
    ]

    def choose(application):
        return services.booking_choose(
            application=application,
            site=created,
            starts_at=slot.starts_at,
            by=application.applicant,
        )

    outcomes = race(choose, applications)
    won = [o for o in outcomes if isinstance(o, Booking)]
    lost = [o for o in outcomes if not isinstance(o, Booking)]
    assert len(won) == 1, outcomes
    assert isinstance(lost[0], services.CollectionError), outcomes
    assert "just been taken" in lost[0].message
    assert Booking.objects.filter(starts_at=slot.starts_at, status__in=Booking.HOLDING).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_offers_at_once_never_share_a_desk(applicant, other_applicant):
    one_slot_site()
    applications = [ready_permit(applicant), ready_permit(other_applicant, department="75")]
    outcomes = race(
        lambda application: services.booking_offer_first(application=application, by=None),
        applications,
    )
    bookings = [o for o in outcomes if isinstance(o, Booking)]
    assert len(bookings) == 2, outcomes
    assert bookings[0].starts_at != bookings[1].starts_at
