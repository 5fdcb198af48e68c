"""Reads about collection sites, their slots and appointments.

A slot is computed, not stored: a site's opening hours of the weekday, cut in
`slot_minutes`, on a day that is neither a public holiday of its territory nor a
closure, times `desks`. Only bookings are rows.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sejour.applications.models import Application, Status

from .holidays import holidays_for
from .models import Booking, Closure, CollectionSite, OpeningHours

# A person moves their appointment within this many days.
HORIZON_DAYS = 30
# The earliest slot offered starts at least this long after now (time to read the message).
LEAD = timedelta(hours=2)


@dataclass(frozen=True)
class Slot:
    site: CollectionSite
    starts_at: datetime  # aware, UTC
    desk: int

    @property
    def local(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.site.time_zone))


def local_time(site: CollectionSite, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(site.time_zone))


def sites_with_calendar(prefecture_id: int) -> list[CollectionSite]:
    """A prefecture's open sites with their hours and closures (three queries)."""
    return list(
        CollectionSite.objects.filter(prefecture_id=prefecture_id, is_active=True)
        .select_related("prefecture")
        .prefetch_related(
            Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch(
                "closures",
                queryset=Closure.objects.filter(ends_on__gte=timezone.localdate() - timedelta(1)),
            ),
        )
    )


def closed_reason(site: CollectionSite, day: date) -> str:
    """Why a site is closed on a local day ("" when it is open)."""
    from django.utils.translation import gettext as _

    if day in holidays_for(site.prefecture.department_code, day.year):
        return _("a public holiday")
    for closure in site.closures.all():
        if closure.starts_on <= day <= closure.ends_on:
            return closure.reason
    if not any(hours.weekday == day.weekday() for hours in site.hours.all()):
        return _("not open on that day")
    return ""


def day_starts(site: CollectionSite, day: date) -> list[datetime]:
    """The UTC start of every slot of a local day (none when the site is closed)."""
    if closed_reason(site, day):
        return []
    zone = ZoneInfo(site.time_zone)
    step = timedelta(minutes=site.slot_minutes)
    starts = []
    for hours in site.hours.all():
        if hours.weekday != day.weekday():
            continue
        start = datetime.combine(day, hours.opens, tzinfo=zone)
        end = datetime.combine(day, hours.closes, tzinfo=zone)
        # Step in UTC: a day when clocks change keeps slots of equal length.
        moment, end_utc = start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))
        while moment + step <= end_utc:
            starts.append(moment)
            moment += step
    return sorted(starts)


def taken_between(sites: list[CollectionSite], start: datetime, end: datetime) -> set:
    """(site, start, desk) held by someone, in one query."""
    return set(
        Booking.objects.filter(
            site__in=sites, starts_at__gte=start, starts_at__lt=end, status__in=Booking.HOLDING
        ).values_list("site_id", "starts_at", "desk")
    )


def free_slots(
    sites: list[CollectionSite], *, start: datetime, end: datetime, limit: int | None = None
) -> list[Slot]:
    """Free slots of these sites between two moments, earliest first, one desk each."""
    taken = taken_between(sites, start, end)
    found = []
    for site in sites:
        zone = ZoneInfo(site.time_zone)
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        while day <= last:
            for moment in day_starts(site, day):
                if not start <= moment < end:
                    continue
                for desk in range(1, site.desks + 1):
                    if (site.pk, moment, desk) not in taken:
                        found.append(Slot(site, moment, desk))
                        break
            day += timedelta(days=1)
    found.sort(key=lambda slot: (slot.starts_at, slot.site.pk))
    return found[:limit] if limit else found


def slot_problem(site: CollectionSite, moment: datetime, now: datetime | None = None) -> str:
    """Why a chosen start is not a bookable slot of the site ("" when it is one)."""
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    if moment <= now:
        return _("This time has already passed. Choose a later one.")
    day = local_time(site, moment).date()
    reason = closed_reason(site, day)
    if reason:
        return _("The site is closed that day (%(reason)s). Choose another day.") % {
            "reason": reason
        }
    if moment > now + timedelta(days=HORIZON_DAYS + 1):
        return _("Appointments can be chosen up to %(days)d days ahead.") % {"days": HORIZON_DAYS}
    if moment not in day_starts(site, day):
        return _("This time is outside the site's opening hours. Choose one from the list.")
    return ""


def site_for(application: Application, sites: list[CollectionSite]) -> CollectionSite | None:
    """The site the person's address points to: the one naming their postcode, else the
    prefecture's main site, else the first open one."""
    postcode = application.answers.get("personal", {}).get("postcode", "")
    for site in sites:
        if postcode and site.serves(postcode):
            return site
    for site in sites:
        if site.is_main:
            return site
    return sites[0] if sites else None


def active_booking(application: Application) -> Booking | None:
    return (
        Booking.objects.filter(application=application, status__in=Booking.HOLDING)
        .select_related("site__prefecture")
        .first()
    )


def ready_application_for_holder(request, reference: str) -> Application:
    """The requester's own application whose permit is ready; 404 for anything else."""
    return get_object_or_404(
        Application.objects.select_related("prefecture", "applicant"),
        reference=reference,
        applicant=request.user,
        status=Status.PERMIT_AVAILABLE,
    )


def site_for_agent(user, site_id: int) -> CollectionSite:
    from sejour.instruction.services import AGENT_ROLES

    if user.role not in AGENT_ROLES or not user.prefecture_id:
        raise Http404
    return get_object_or_404(
        CollectionSite.objects.select_related("prefecture"),
        pk=site_id,
        prefecture_id=user.prefecture_id,
    )


def day_bookings(site: CollectionSite, day: date) -> list[Booking]:
    """A site's appointments of a local day, by time (one query)."""
    zone = ZoneInfo(site.time_zone)
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    end = start + timedelta(days=1)
    return list(
        Booking.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[Booking.Status.MOVED, Booking.Status.EXPIRED])
        .select_related("application__applicant")
        .only(
            "starts_at",
            "desk",
            "status",
            "walk_in",
            "site_id",
            "application__reference",
            "application__status",
            "application__applicant__first_names",
            "application__applicant__last_name",
        )
        .order_by("starts_at", "desk")
    )
