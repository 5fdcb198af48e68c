"""Days a collection site is closed by law: the national public holidays, and those
that only apply in some territories.

- Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good Friday and 26 December
  (Code du travail, art. L. 3134-13).
- Each overseas département marks the abolition of slavery on its own day
  (loi n° 83-550 and décret n° 83-1003): Mayotte 27 April, Martinique 22 May,
  Guadeloupe 27 May, Guyane 10 June, La Réunion 20 December.
"""

from datetime import date, timedelta
from functools import cache

from sejour.employers.workdays import easter_sunday, public_holidays

ALSACE_MOSELLE = ("57", "67", "68")
ABOLITION_OF_SLAVERY = {
    "971": (5, 27),
    "972": (5, 22),
    "973": (6, 10),
    "974": (12, 20),
    "976": (4, 27),
}
TIME_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
METROPOLITAN_TIME_ZONE = "Europe/Paris"


def time_zone_for(department_code: str) -> str:
    return TIME_ZONES.get(department_code, METROPOLITAN_TIME_ZONE)


@cache
def holidays_for(department_code: str, year: int) -> frozenset[date]:
    days = set(public_holidays(year))
    if department_code in ALSACE_MOSELLE:
        days.add(easter_sunday(year) - timedelta(days=2))
        days.add(date(year, 12, 26))
    if department_code in ABOLITION_OF_SLAVERY:
        month, day = ABOLITION_OF_SLAVERY[department_code]
        days.add(date(year, month, day))
    return frozenset(days)
