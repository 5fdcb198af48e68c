"""The electronic tax stamp service (timbres fiscaux électroniques).

`LocalStampService` answers from Séjour's copy; a connector to the real
service would implement `check` and `consume`.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from sejour.rules.services import add_months, figure

from .models import TaxStamp

STAMP_RE = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class StampCheck:
    number: str
    status: str  # "valid", "format", "unknown", "expired", "used"
    amount_cents: int = 0


def stamp_usable_until(bought_at, examined: tuple[date, date] | None = None) -> date:
    """Rule STAMP-VALIDITY: the first day a stamp can no longer be used, from the figure in
    force on the day it was bought (CGI art. 900: 12 months for stamps bought since
    12 September 2019). The time is suspended while the application it pays for was
    examined: `examined` is (filing day, end of the examination)."""
    bought_on = timezone.localdate(bought_at)
    months = figure("stamp_validity", bought_on)["usable_months"]
    until = add_months(bought_on, months)
    if examined is not None:
        filed_on, ended_on = examined
        suspended_from = max(filed_on, bought_on)
        if ended_on > suspended_from:
            until += ended_on - suspended_from
    return until


def normalise(number: str) -> str:
    return re.sub(r"[\s.\-]", "", number or "")


class LocalStampService:
    def check(self, number: str, *, examined: tuple[date, date] | None = None) -> StampCheck:
        number = normalise(number)
        if not STAMP_RE.match(number):
            return StampCheck(number, "format")
        stamp = TaxStamp.objects.filter(number=number).first()
        if stamp is None:
            return StampCheck(number, "unknown")
        if stamp.used_at is not None:
            return StampCheck(number, "used", stamp.amount_cents)
        if timezone.localdate() >= stamp_usable_until(stamp.bought_at, examined):
            return StampCheck(number, "expired", stamp.amount_cents)
        return StampCheck(number, "valid", stamp.amount_cents)

    def consume(self, numbers: list[str], used_for: str) -> bool:
        """Use all the stamps or none: False if any was used meanwhile."""
        with transaction.atomic():
            for number in numbers:
                # A conditional UPDATE: of two desks using one stamp, one changes the row.
                changed = TaxStamp.objects.filter(
                    number=normalise(number), used_at__isnull=True
                ).update(used_at=timezone.now(), used_for=used_for)
                if changed != 1:
                    transaction.set_rollback(True)
                    return False
        return True


@cache
def get_stamp_service() -> LocalStampService:
    return import_string(settings.STAMP_SERVICE)()
