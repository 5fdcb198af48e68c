"""The photo service: e-photo codes from approved photo booths (SPEC §1).

`LocalEphotoService` answers from Séjour's copy; a connector to the real
service would implement the same two methods and be named in EPHOTO_SERVICE.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from sejour.rules.services import add_months, figure

from .models import EphotoCode


def ephoto_usable_until(taken_at: datetime) -> datetime:
    """Rule EPHOTO-VALIDITY: the moment a code stops being usable, from the figure in
    force on the day of the shot (FAQ: 6 months)."""
    months = figure("ephoto_validity", timezone.localdate(taken_at))["usable_months"]
    local = timezone.localtime(taken_at)
    return datetime.combine(add_months(local.date(), months), local.timetz())


@dataclass(frozen=True)
class EphotoCheck:
    status: str  # "valid", "unknown", "not_yet_available", "expired", "used"
    available_at: datetime | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def normalise(code: str) -> str:
    return "".join((code or "").split()).upper()


class LocalEphotoService:
    def check(self, code: str) -> EphotoCheck:
        row = EphotoCode.objects.filter(code=normalise(code)).first()
        now = timezone.now()
        if row is None:
            return EphotoCheck("unknown")
        if row.used_at is not None:
            return EphotoCheck("used")
        if now >= ephoto_usable_until(row.taken_at):
            return EphotoCheck("expired")
        if now < row.available_at:
            return EphotoCheck("not_yet_available", row.available_at)
        return EphotoCheck("valid")

    def consume(self, code: str) -> bool:
        """Mark the code used; False if it was already used (only one caller can win)."""
        # One UPDATE with the condition: of two racing submissions, one changes the row.
        return (
            EphotoCode.objects.filter(code=normalise(code), used_at__isnull=True).update(
                used_at=timezone.now()
            )
            == 1
        )


@cache
def get_ephoto_service() -> LocalEphotoService:
    return import_string(settings.EPHOTO_SERVICE)()
