from datetime import date

import pytest

from sejour.employers.workdays import easter_sunday, is_working_day, working_days_after


@pytest.mark.parametrize(
    "year, easter", [(2024, date(2024, 3, 31)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28))]
)
def test_easter(year, easter):
    assert easter_sunday(year) == easter


def test_public_holidays_and_weekends_are_not_working_days():
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert not is_working_day(date(2027, 5, 6))  # Ascension
    assert not is_working_day(date(2027, 5, 17))  # Whit Monday
    assert not is_working_day(date(2026, 7, 14))
    assert not is_working_day(date(2026, 12, 5))  # a Saturday
    assert is_working_day(date(2026, 12, 7))


@pytest.mark.parametrize(
    "asked, due",
    [
        (date(2026, 12, 1), date(2026, 12, 3)),  # Tuesday → Thursday
        (date(2026, 12, 4), date(2026, 12, 8)),  # Friday → Tuesday
        (date(2026, 12, 5), date(2026, 12, 8)),  # Saturday → Tuesday
        (date(2026, 12, 31), date(2027, 1, 5)),  # 1 January and the weekend skipped
        (date(2027, 5, 5), date(2027, 5, 10)),  # Ascension Thursday skipped
    ],
)
def test_two_working_days(asked, due):
    assert working_days_after(asked, 2) == due
