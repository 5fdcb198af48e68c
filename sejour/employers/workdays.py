"""Working days: Monday to Friday, except French public holidays.

The prefecture answers an employer within two working days (Code du travail,
art. R. 5221-42). The fixed holidays are data; the movable ones follow Easter.
"""

from datetime import date, timedelta
from functools import cache

# (month, day) of the fixed public holidays (Code du travail, art. L. 3133-1).
FIXED_HOLIDAYS = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
# Days after Easter Sunday: Easter Monday, Ascension Thursday, Whit Monday.
EASTER_OFFSETS = (1, 39, 50)


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous algorithm, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return date(year, month, day)


@cache
def public_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    return frozenset(
        [date(year, month, day) for month, day in FIXED_HOLIDAYS]
        + [easter + timedelta(days=offset) for offset in EASTER_OFFSETS]
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def working_days_after(start: date, count: int) -> date:
    """The day `count` working days after `start` (a request on Friday, answered in
    two working days, is due on Tuesday)."""
    day = start
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
