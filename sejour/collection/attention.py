"""The collection's item in "Mon espace"'s list (sejour.attention.providers): an
appointment Séjour booked that the person has not confirmed yet."""

from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from sejour.applications.models import Status
from sejour.attention.providers import AttentionContext, AttentionItem, provider

from .models import Booking
from .selectors import local_time


@provider
def appointment_to_confirm(context: AttentionContext) -> list[AttentionItem]:
    ready = [a.pk for a in context.applications if a.status == Status.PERMIT_AVAILABLE]
    if not ready:
        return []  # no query for the many who have no permit waiting
    bookings = Booking.objects.filter(
        application_id__in=ready, status=Booking.Status.OFFERED
    ).select_related("site", "application")
    items = []
    for booking in bookings:
        local = local_time(booking.site, booking.starts_at)
        items.append(
            AttentionItem(
                kind="collection_to_confirm",
                title=_("A collection appointment to confirm (%(reference)s)")
                % {"reference": booking.application.reference},
                detail=_("%(date)s at %(time)s, %(site)s.")
                % {
                    "date": date_format(local, "l j F Y"),
                    "time": time_format(local, "H:i"),
                    "site": booking.site.name,
                },
                link_url=reverse("collection:booking", args=[booking.application.reference]),
                link_label=_("Keep or move the appointment"),
                due_on=local.date(),
                rank=10,
            )
        )
    return items
