"""Sites and ready permits for the collection tests, on a frozen clock."""

from datetime import UTC, datetime, time

from django.utils import timezone

from sejour.applications.models import Application, Decision, Status
from sejour.collection.holidays import time_zone_for
from sejour.collection.models import CollectionSite, OpeningHours
from sejour.registry.models import Prefecture
from sejour.rules.models import Procedure

# Monday 1 June 2026, 09:00 in Paris (07:00 UTC): an ordinary working day.
NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)


def site(
    department="75",
    *,
    name="Préfecture de police — Cité",
    desks=1,
    slot_minutes=15,
    hours=((time(9), time(12)),),
    weekdays=range(5),
    postcodes="",
    is_main=True,
) -> CollectionSite:
    prefecture = Prefecture.objects.get(department_code=department)
    created = CollectionSite.objects.create(
        prefecture=prefecture,
        name=name,
        address="1 rue de Lutèce\n75004 Paris",
        access_notes="Entrée par le quai",
        time_zone=time_zone_for(department),
        desks=desks,
        slot_minutes=slot_minutes,
        postcodes=postcodes,
        is_main=is_main,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(site=created, weekday=day, opens=opens, closes=closes)
        for day in weekdays
        for opens, closes in hours
    )
    return created


def ready_permit(user, *, department="75", postcode="75011", made=None) -> Application:
    """An application whose permit is made, written directly (no booking yet)."""
    from sejour.applications.services import current_document_for

    document = current_document_for(user)
    return Application.objects.create(
        applicant=user,
        procedure=Procedure.RENEWAL,
        motive=document.motive,
        status=Status.PERMIT_AVAILABLE,
        prefecture=Prefecture.objects.get(department_code=department),
        current_document={"kind": document.kind, "number": document.number},
        current_document_ends_on=document.valid_until,
        filed_at=timezone.now(),
        decision=Decision.FAVOURABLE,
        decided_at=timezone.now(),
        permit_made_at=made or timezone.now(),
        answers={"personal": {"postcode": postcode, "phone": "06 12 34 56 78"}},
    )


def decided(user, *, department="75", postcode="75011") -> Application:
    application = ready_permit(user, department=department, postcode=postcode)
    Application.objects.filter(pk=application.pk).update(
        status=Status.DECISION_TAKEN, permit_made_at=None
    )
    application.refresh_from_db()
    return application


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
