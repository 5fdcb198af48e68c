"""Slots come from opening hours, holidays of the site's territory and closures, in the
site's own time zone, stored in UTC."""

from datetime import date, time

import pytest

from sejour.collection import selectors
from sejour.collection.holidays import holidays_for, time_zone_for
from sejour.collection.models import Closure

from .helpers import site, utc


def fresh(created):
    return next(
        s for s in selectors.sites_with_calendar(created.prefecture_id) if s.pk == created.pk
    )


def test_alsace_moselle_closes_on_good_friday_and_26_december():
    assert date(2026, 4, 3) in holidays_for("67", 2026)  # Good Friday 2026
    assert date(2026, 12, 26) in holidays_for("57", 2026)
    assert date(2026, 4, 3) not in holidays_for("75", 2026)
    assert date(2026, 12, 26) not in holidays_for("75", 2026)


def test_each_overseas_territory_has_its_abolition_of_slavery_day():
    assert date(2026, 5, 27) in holidays_for("971", 2026)
    assert date(2026, 5, 22) in holidays_for("972", 2026)
    assert date(2026, 6, 10) in holidays_for("973", 2026)
    assert date(2026, 12, 20) in holidays_for("974", 2026)
    assert date(2026, 4, 27) in holidays_for("976", 2026)
    assert date(2026, 5, 27) not in holidays_for("972", 2026)
    assert date(2026, 5, 27) not in holidays_for("75", 2026)


def test_movable_holidays_follow_easter_of_that_year():
    assert date(2026, 4, 6) in holidays_for("75", 2026)  # Easter Monday
    assert date(2027, 3, 29) in holidays_for("75", 2027)
    assert date(2026, 4, 6) not in holidays_for("75", 2027)


@pytest.mark.django_db
def test_a_day_when_clocks_change_keeps_9am_local():
    paris = fresh(site(weekdays=range(7)))
    # Summer time starts on Sunday 29 March 2026: 9:00 is 08:00 UTC before, 07:00 after.
    assert selectors.day_starts(paris, date(2026, 3, 27))[0] == utc(2026, 3, 27, 8, 0)
    assert selectors.day_starts(paris, date(2026, 3, 29))[0] == utc(2026, 3, 29, 7, 0)
    assert selectors.day_starts(paris, date(2026, 3, 30))[0] == utc(2026, 3, 30, 7, 0)
    # Every slot of the change-over day lasts the same 15 minutes: 12 in three hours.
    assert len(selectors.day_starts(paris, date(2026, 3, 29))) == 12
    # Winter time is back on Sunday 25 October 2026.
    assert selectors.day_starts(paris, date(2026, 10, 26))[0] == utc(2026, 10, 26, 8, 0)


@pytest.mark.django_db
def test_an_overseas_site_works_in_its_own_time_zone():
    reunion = fresh(site("974", name="Préfecture de La Réunion", hours=((time(8), time(11)),)))
    assert reunion.time_zone == "Indian/Reunion" == time_zone_for("974")
    # 8:00 in Saint-Denis (UTC+4, no summer time) is 04:00 UTC, winter and summer alike.
    assert selectors.day_starts(reunion, date(2026, 6, 2))[0] == utc(2026, 6, 2, 4, 0)
    assert selectors.day_starts(reunion, date(2026, 12, 1))[0] == utc(2026, 12, 1, 4, 0)
    assert selectors.day_starts(reunion, date(2026, 12, 21)) != []
    assert selectors.day_starts(reunion, date(2026, 12, 20)) == []  # a Sunday anyway
    guadeloupe = fresh(site("971", name="Préfecture de la Guadeloupe"))
    # 9:00 in Basse-Terre (UTC-4) is 13:00 UTC; 27 May 2026 (a Wednesday) is closed.
    assert selectors.day_starts(guadeloupe, date(2026, 5, 26))[0] == utc(2026, 5, 26, 13, 0)
    assert selectors.day_starts(guadeloupe, date(2026, 5, 27)) == []
    assert selectors.closed_reason(guadeloupe, date(2026, 5, 27)) == "a public holiday"


@pytest.mark.django_db
def test_closed_days_have_no_slots(clock):
    created = site(hours=((time(9), time(12)), (time(13, 30), time(16, 30))))
    Closure.objects.create(
        site=created, starts_on=date(2026, 6, 3), ends_on=date(2026, 6, 4), reason="Travaux"
    )
    paris = fresh(created)
    assert len(selectors.day_starts(paris, date(2026, 6, 2))) == 24
    assert selectors.day_starts(paris, date(2026, 6, 3)) == []
    assert selectors.closed_reason(paris, date(2026, 6, 4)) == "Travaux"
    assert selectors.day_starts(paris, date(2026, 6, 6)) == []  # Saturday: no hours
    assert selectors.day_starts(paris, date(2026, 7, 14)) == []  # national holiday
