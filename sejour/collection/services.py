"""Collection appointments: every change is one transaction that writes its audit
event and queues its messages on commit.

Nobody hunts for a slot. When a permit is made, `booking_offer_first` books the
earliest free slot at the person's site; they keep it, move it or say they cannot
come. A freed slot is offered at once to whoever has waited longest without one,
held `OFFER_HOLD` and then passed on (`offers_expire`, run by the worker).
"""

from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.audit.services import audit_record
from sejour.core.storage import random_key
from sejour.notifications.services import outbox_email, outbox_sms

from . import selectors
from .models import Booking, CollectionSite, CollectionTally

OFFER_HOLD = timedelta(hours=24)
MIN_HOLD = timedelta(hours=1)
REMINDER_DAYS_BEFORE = 2
NO_SHOWS_BEFORE_SUPERVISOR = 2
STAFF_ROLES = (User.Role.AGENT, User.Role.SUPERVISOR, User.Role.SUPPORT)


class CollectionError(Exception):
    """A refused change, with a message for the person and the field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Who may act ----------------------------------------------------------------------


def _check_actor(application: Application, by) -> bool:
    """True when staff act for the person (recorded as such); refuse anyone else."""
    if by.pk == application.applicant_id:
        return False
    if by.role == User.Role.SUPPORT:
        return True
    if by.role in (User.Role.AGENT, User.Role.SUPERVISOR) and (
        by.prefecture_id == application.prefecture_id
    ):
        return True
    raise PermissionError("not the holder nor staff of the competent prefecture")


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("applicant", "prefecture")
        .get(pk=application.pk)
    )


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("site__prefecture", "application__applicant", "application__prefecture")
        .get(pk=booking.pk)
    )


def _audit(action: str, booking: Booking, by, *, on_behalf: bool = False, **data) -> None:
    local = selectors.local_time(booking.site, booking.starts_at)
    audit_record(
        action=action,
        actor=by if by is not None and by.pk else None,
        subject=booking.application.applicant,
        application=booking.application,
        data={
            "site": booking.site.name,
            "starts_at": booking.starts_at.isoformat(),
            "local": local.isoformat(),
            "desk": booking.desk,
            **({"staff_on_behalf": True} if on_behalf else {}),
            **data,
        },
    )


# --- Booking a slot -------------------------------------------------------------------


def _site_of(application: Application, site: CollectionSite) -> CollectionSite:
    """The chosen site with its calendar, if it is one of the person's prefecture."""
    for candidate in selectors.sites_with_calendar(application.prefecture_id):
        if candidate.pk == site.pk:
            return candidate
    raise CollectionError(_("Choose one of your prefecture's sites."), "slot")


def _take(application: Application, slot: selectors.Slot, status: str, by, **fields) -> Booking:
    """Insert the booking; the unique constraint decides between two people racing."""
    with transaction.atomic():
        return Booking.objects.create(
            application=application,
            site=slot.site,
            starts_at=slot.starts_at,
            desk=slot.desk,
            status=status,
            created_by=by if by is not None and by.pk else None,
            **fields,
        )


def _take_earliest(application: Application, sites: list[CollectionSite], by) -> Booking | None:
    now = timezone.now()
    start, end = now + selectors.LEAD, now + timedelta(days=selectors.HORIZON_DAYS)
    for _attempt in range(5):
        slots = selectors.free_slots(sites, start=start, end=end, limit=20)
        for slot in slots:
            try:
                return _take(application, slot, Booking.Status.OFFERED, by)
            except IntegrityError:
                continue  # taken a moment ago by someone else: the next one
        if not slots:
            return None
    return None


def booking_offer_first(*, application: Application, by) -> Booking | None:
    """Called by `permit_mark_made` in its transaction: book the earliest free slot at the
    site the person's address points to. None when no site has a free slot within the
    horizon: the person then waits for the first slot freed or opened."""
    with transaction.atomic():
        return _offer_first(application, by)


def _offer_first(application: Application, by, *, sites=None) -> Booking | None:
    """`sites`: the prefecture's calendar when the caller has already read it."""
    if sites is None:
        sites = selectors.sites_with_calendar(application.prefecture_id)
    site = selectors.site_for(application, sites)
    if site is None:
        return None
    booking = _take_earliest(application, [site], by) or _take_earliest(application, sites, by)
    if booking is None:
        audit_record(
            action="collection.waiting",
            actor=by,
            subject=application.applicant,
            application=application,
            data={"reason": "no free slot"},
        )
        return None
    booking.application = application
    _audit("collection.offered", booking, by)
    rebooked = Booking.objects.filter(
        application=application, status__in=[Booking.Status.CANCELLED, Booking.Status.NO_SHOW]
    ).exists()
    _notify(booking, "rebooked" if rebooked else "offered")
    return booking


def booking_keep(*, booking: Booking, by) -> Booking:
    with transaction.atomic():
        booking = _lock_booking(booking)
        on_behalf = _check_actor(booking.application, by)
        if booking.status == Booking.Status.CONFIRMED:
            return booking
        if booking.status != Booking.Status.OFFERED:
            raise CollectionError(_("This appointment can no longer be confirmed."))
        if booking.expires_at and booking.expires_at <= timezone.now():
            raise CollectionError(
                _("This offer was held until %(when)s and has passed to someone else.")
                % {"when": _when(booking, booking.expires_at)}
            )
        booking.status = Booking.Status.CONFIRMED
        booking.expires_at = None
        booking.save(update_fields=["status", "expires_at"])
        _audit("collection.confirmed", booking, by, on_behalf=on_behalf)
    return booking


def booking_move(*, booking: Booking, site: CollectionSite, starts_at: datetime, by) -> Booking:
    """Move to another free slot of the person's prefecture; on any refusal the current
    appointment is kept."""
    with transaction.atomic():
        booking = _lock_booking(booking)
        application = _lock_application(booking.application)
        on_behalf = _check_actor(application, by)
        if booking.status not in Booking.ACTIVE:
            raise CollectionError(_("This appointment can no longer be moved."))
        site = _site_of(application, site)
        problem = selectors.slot_problem(site, starts_at)
        if problem:
            raise CollectionError(problem, "slot")
        if site.pk == booking.site_id and starts_at == booking.starts_at:
            raise CollectionError(_("This is already your appointment."), "slot")
        taken = selectors.taken_between([site], starts_at, starts_at + timedelta(seconds=1))
        free = [d for d in range(1, site.desks + 1) if (site.pk, starts_at, d) not in taken]
        if not free:
            raise CollectionError(_("This time has just been taken. Choose another one."), "slot")
        old_site, old_start, old_desk = booking.site, booking.starts_at, booking.desk
        booking.status = Booking.Status.MOVED
        booking.ended_at = timezone.now()
        booking.save(update_fields=["status", "ended_at"])
        try:
            new = _take(
                application,
                selectors.Slot(site, starts_at, free[0]),
                Booking.Status.CONFIRMED,
                by,
            )
        except IntegrityError:
            raise CollectionError(
                _("This time has just been taken. Choose another one."), "slot"
            ) from None
        new.application = application
        _audit(
            "collection.moved",
            new,
            by,
            on_behalf=on_behalf,
            previous={"site": old_site.name, "starts_at": old_start.isoformat()},
        )
        _notify(new, "moved")
        _offer_freed(old_site, old_start, old_desk, by=by)
    return new


def booking_cancel(*, booking: Booking, by, reason: str = "") -> Booking:
    """The person cannot come (or staff cancel for them): the slot goes to the next person."""
    with transaction.atomic():
        booking = _lock_booking(booking)
        on_behalf = _check_actor(booking.application, by)
        if booking.status not in Booking.ACTIVE:
            raise CollectionError(_("This appointment is no longer active."))
        booking.status = Booking.Status.CANCELLED
        booking.ended_at = timezone.now()
        booking.save(update_fields=["status", "ended_at"])
        _audit("collection.cancelled", booking, by, on_behalf=on_behalf, reason=reason[:500])
        # The person who gave it up is not offered it back.
        _offer_freed(
            booking.site, booking.starts_at, booking.desk, by=by, freed_by=booking.application_id
        )
    return booking


def booking_choose(*, application: Application, site: CollectionSite, starts_at: datetime, by):
    """A person waiting without an appointment (or staff for them) takes a free slot."""
    with transaction.atomic():
        application = _lock_application(application)
        on_behalf = _check_actor(application, by)
        if application.status != Status.PERMIT_AVAILABLE:
            raise CollectionError(_("Only a ready permit can be collected."))
        current = selectors.active_booking(application)
        if current is not None:
            return booking_move(booking=current, site=site, starts_at=starts_at, by=by)
        site = _site_of(application, site)
        problem = selectors.slot_problem(site, starts_at)
        if problem:
            raise CollectionError(problem, "slot")
        taken = selectors.taken_between([site], starts_at, starts_at + timedelta(seconds=1))
        free = [d for d in range(1, site.desks + 1) if (site.pk, starts_at, d) not in taken]
        try:
            if not free:
                raise IntegrityError
            booking = _take(
                application, selectors.Slot(site, starts_at, free[0]), Booking.Status.CONFIRMED, by
            )
        except IntegrityError:
            raise CollectionError(
                _("This time has just been taken. Choose another one."), "slot"
            ) from None
        booking.application = application
        _audit("collection.booked", booking, by, on_behalf=on_behalf)
        _notify(booking, "moved")
    return booking


# --- The waiting list -----------------------------------------------------------------


def waiting_applications(prefecture_id: int, *, exclude_ids=()):
    """Ready permits without an active appointment, who waited longest first."""
    return (
        Application.objects.filter(prefecture_id=prefecture_id, status=Status.PERMIT_AVAILABLE)
        .exclude(collection_bookings__status__in=Booking.HOLDING)
        .exclude(pk__in=exclude_ids)
        .select_related("applicant", "prefecture")
        .order_by("permit_made_at", "pk")
    )


def _offer_freed(
    site: CollectionSite, starts_at: datetime, desk: int | None, *, by, freed_by=None
) -> None:
    """Offer a freed desk-slot to the person who has waited longest, held OFFER_HOLD."""
    now = timezone.now()
    # Too close to be taken in time (the person needs the lead and an hour to answer).
    if desk is None or starts_at < now + selectors.LEAD + MIN_HOLD:
        return
    passed = Booking.objects.filter(
        site=site, starts_at=starts_at, status__in=[Booking.Status.EXPIRED]
    ).values_list("application_id", flat=True)
    exclude = [*passed, *([freed_by] if freed_by else [])]
    for application in waiting_applications(site.prefecture_id, exclude_ids=exclude)[:5]:
        try:
            booking = _take(
                application,
                selectors.Slot(site, starts_at, desk),
                Booking.Status.OFFERED,
                None,
                expires_at=min(now + OFFER_HOLD, starts_at - selectors.LEAD),
            )
        except IntegrityError:
            continue  # booked meanwhile: the next person
        booking.application = application
        _audit("collection.offered_from_waiting_list", booking, by)
        _notify(booking, "freed")
        return


def offers_expire(*, now: datetime | None = None) -> int:
    """Worker job: offers from the waiting list not taken in time pass to the next person."""
    now = now or timezone.now()
    expired = 0
    for booking in Booking.objects.filter(status=Booking.Status.OFFERED, expires_at__lte=now):
        with transaction.atomic():
            booking = _lock_booking(booking)
            if booking.status != Booking.Status.OFFERED or booking.expires_at > now:
                continue
            booking.status = Booking.Status.EXPIRED
            booking.ended_at = now
            booking.save(update_fields=["status", "ended_at"])
            _audit("collection.offer_expired", booking, None)
            _offer_freed(booking.site, booking.starts_at, booking.desk, by=None)
            expired += 1
    return expired


def offers_to_waiting(*, now: datetime | None = None) -> int:
    """Worker job: every ready permit without an appointment is booked the earliest free
    slot as days come within the horizon or capacity opens. Someone whose appointment
    ended (cancelled, offer passed on, missed) in the last OFFER_HOLD is left that time
    first: "I cannot come" is not answered with a new time within the hour."""
    now = now or timezone.now()
    recent = set(
        Booking.objects.filter(ended_at__gt=now - OFFER_HOLD).values_list(
            "application_id", flat=True
        )
    )
    offered = 0
    prefectures = (
        CollectionSite.objects.filter(is_active=True)
        .order_by("prefecture_id")
        .values_list("prefecture_id", flat=True)
        .distinct()
    )
    start, end = now + selectors.LEAD, now + timedelta(days=selectors.HORIZON_DAYS)
    for prefecture_id in prefectures:
        waiting = waiting_applications(prefecture_id, exclude_ids=recent)
        if not waiting.exists():
            continue
        sites = selectors.sites_with_calendar(prefecture_id)
        if not selectors.free_slots(sites, start=start, end=end, limit=1):
            continue  # full: nobody is offered anything, nothing is written
        for application in waiting:
            with transaction.atomic():
                application = _lock_application(application)
                if application.status != Status.PERMIT_AVAILABLE or (
                    selectors.active_booking(application) is not None
                ):
                    continue
                if _offer_first(application, None, sites=sites) is None:
                    break  # nothing free at this prefecture: the next ones wait too
                offered += 1
    return offered


# --- Reminders ------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Worker job: an SMS and an e-mail two days before each appointment, once.

    The conditional UPDATE on `reminded_at` decides: a second run (or two workers at
    once) finds nothing left to claim."""
    now = now or timezone.now()
    sent = 0
    # "Two days before" is counted in the site's calendar days: on Monday, Wednesday's.
    candidates = (
        Booking.objects.filter(
            status__in=Booking.ACTIVE,
            reminded_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(days=REMINDER_DAYS_BEFORE + 1),
        )
        .select_related("site")
        .only("pk", "starts_at", "created_at", "site__time_zone")
    )

    def days_ahead(booking, moment) -> int:
        """Calendar days at the site from `moment` to the appointment."""
        local = selectors.local_time
        return (
            local(booking.site, booking.starts_at).date() - local(booking.site, moment).date()
        ).days

    # An appointment booked less than two days ahead was told in full at booking; a
    # "reminder, in two days" would be false.
    due = [
        booking.pk
        for booking in candidates
        if days_ahead(booking, now)
        <= REMINDER_DAYS_BEFORE
        <= days_ahead(booking, booking.created_at)
    ]
    for pk in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=pk, reminded_at__isnull=True, status__in=Booking.ACTIVE
            ).update(reminded_at=now)
            if not claimed:
                continue
            booking = Booking.objects.select_related(
                "site__prefecture", "application__applicant", "application__prefecture"
            ).get(pk=pk)
            _audit("collection.reminded", booking, None)
            _notify(booking, "reminder")
            sent += 1
    return sent


# --- At the desk ----------------------------------------------------------------------


def _check_desk_agent(booking: Booking, by) -> None:
    if by.role not in (User.Role.AGENT, User.Role.SUPERVISOR) or (
        by.prefecture_id != booking.site.prefecture_id
    ):
        raise PermissionError("agent of another prefecture")


def booking_arrived(*, booking: Booking, by) -> Booking:
    with transaction.atomic():
        booking = _lock_booking(booking)
        _check_desk_agent(booking, by)
        if booking.status not in Booking.ACTIVE:
            raise CollectionError(_("This appointment is not waiting for the person."))
        booking.status = Booking.Status.ARRIVED
        booking.save(update_fields=["status"])
        _audit("collection.arrived", booking, by)
    return booking


def booking_no_show(*, booking: Booking, by) -> Booking:
    """The person did not come: a new offer is made at once; after the second time the
    supervisors are told, to call them."""
    with transaction.atomic():
        booking = _lock_booking(booking)
        _check_desk_agent(booking, by)
        if booking.status not in Booking.ACTIVE:
            raise CollectionError(_("This appointment is not waiting for the person."))
        if booking.starts_at > timezone.now():
            raise CollectionError(_("The appointment has not started yet."))
        booking.status = Booking.Status.NO_SHOW
        booking.ended_at = timezone.now()
        booking.save(update_fields=["status", "ended_at"])
        _audit("collection.no_show", booking, by)
        application = _lock_application(booking.application)
        no_shows = Booking.objects.filter(
            application=application, status=Booking.Status.NO_SHOW
        ).count()
        if no_shows >= NO_SHOWS_BEFORE_SUPERVISOR:
            _tell_supervisors(booking, no_shows)
        booking_offer_first(application=application, by=by)
    return booking


def walk_in_record(*, application: Application, site: CollectionSite, by) -> Booking:
    """A person comes without an appointment and is served: recorded as arrived now,
    their appointment (if any) given back."""
    with transaction.atomic():
        application = _lock_application(application)
        if by.role not in (User.Role.AGENT, User.Role.SUPERVISOR) or (
            by.prefecture_id != application.prefecture_id
            or site.prefecture_id != application.prefecture_id
        ):
            raise PermissionError("agent of another prefecture")
        if application.status != Status.PERMIT_AVAILABLE:
            raise CollectionError(_("This permit is not waiting to be collected."), "reference")
        current = selectors.active_booking(application)
        if current is not None and current.status == Booking.Status.ARRIVED:
            return current
        if current is not None:
            current.status = Booking.Status.CANCELLED
            current.ended_at = timezone.now()
            current.save(update_fields=["status", "ended_at"])
            _audit("collection.cancelled", current, by, on_behalf=True, reason="walk-in")
        booking = Booking.objects.create(
            application=application,
            site=site,
            starts_at=timezone.now(),
            desk=None,
            status=Booking.Status.ARRIVED,
            walk_in=True,
            created_by=by,
        )
        booking.application = application
        _audit("collection.walk_in", booking, by)
        if current is not None:
            _offer_freed(current.site, current.starts_at, current.desk, by=by)
    return booking


def collection_handed_over(*, application: Application) -> None:
    """Called by `permit_hand_over` in its transaction: the wait joins the tally."""
    if application.permit_made_at is None:
        return
    tally, _created = CollectionTally.objects.select_for_update().get_or_create(
        prefecture_id=application.prefecture_id
    )
    wait = (application.handed_over_at or timezone.now()) - application.permit_made_at
    tally.waiting = max(tally.waiting - 1, 0)
    tally.collected += 1
    tally.total_wait_seconds += int(wait.total_seconds())
    tally.save(update_fields=["waiting", "collected", "total_wait_seconds"])


def _tell_supervisors(booking: Booking, no_shows: int) -> None:
    supervisors = User.objects.filter(
        role=User.Role.SUPERVISOR, prefecture_id=booking.site.prefecture_id, is_active=True
    ).exclude(email="")
    for supervisor in supervisors:
        with translation.override("fr"):
            outbox_email(
                to=supervisor.email,
                language="fr",  # the back-office is French
                subject=_("Séjour: %(reference)s missed %(count)d collection appointments")
                % {"reference": booking.application.reference, "count": no_shows},
                template="collection/email/no_shows.txt",
                context={"booking": booking, "count": no_shows},
            )


# --- Messages -------------------------------------------------------------------------


def _when(booking: Booking, moment: datetime) -> str:
    local = selectors.local_time(booking.site, moment)
    return f"{date_format(local, 'DATE_FORMAT')} {time_format(local, 'TIME_FORMAT')}"


def ics_for(booking: Booking) -> str:
    """The appointment as a calendar file (RFC 5545), times in UTC."""
    end = booking.starts_at + timedelta(minutes=booking.site.slot_minutes)

    def stamp(moment: datetime) -> str:
        return moment.astimezone(timezone.UTC).strftime("%Y%m%dT%H%M%SZ")

    def text(value: str) -> str:
        return (
            value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    bring = _("Bring your current document or receipt, your passport and electronic tax stamps.")
    summary = _("Collect your residence permit (%(reference)s)") % {
        "reference": booking.application.reference
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sejour//Collection//FR",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:collection-{booking.pk}@sejour",
        f"DTSTAMP:{stamp(timezone.now())}",
        f"DTSTART:{stamp(booking.starts_at)}",
        f"DTEND:{stamp(end)}",
        f"SUMMARY:{text(summary)}",
        f"LOCATION:{text(booking.site.name + ', ' + ' '.join(booking.site.address.split()))}",
        f"DESCRIPTION:{text(bring)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str) -> str:
    """RFC 5545 §3.1: lines longer than 75 octets go on with CRLF and a space, never
    cutting a UTF-8 character."""
    parts, current = [], ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _notify(booking: Booking, kind: str) -> None:
    """SMS and e-mail, in the person's language, queued on commit by the outbox."""
    from sejour.accounts.languages import language_of
    from sejour.attention.selectors import sms_number_for
    from sejour.instruction.services import amount_due
    from sejour.notifications.phones import international_mobile

    application = booking.application
    user = application.applicant
    language = language_of(user)
    with translation.override(language):
        fees = amount_due(application)
        local = selectors.local_time(booking.site, booking.starts_at)
        context = {
            "booking": booking,
            "application": application,
            "site": booking.site,
            "date": date_format(local, "l j F Y"),
            "time": time_format(local, "H:i"),
            "expires": _when(booking, booking.expires_at) if booking.expires_at else "",
            "fees": fees,
            "total_cents": fees.total_cents,
            "kind": kind,
        }
        subjects = {
            "offered": _("Séjour: your appointment to collect your permit (%(reference)s)"),
            "moved": _("Séjour: your new appointment to collect your permit (%(reference)s)"),
            "freed": _("Séjour: an earlier appointment is offered to you (%(reference)s)"),
            "reminder": _("Séjour: reminder, your appointment in two days (%(reference)s)"),
            "rebooked": _("Séjour: a new appointment to collect your permit (%(reference)s)"),
            "lost": _(
                "Séjour: your appointment to collect your permit is cancelled (%(reference)s)"
            ),
        }
        # The settings' number, else the application's; none if text messages are off.
        phone = sms_number_for(
            user, fallback=application.answers.get("personal", {}).get("phone", "")
        )
        if phone:
            outbox_sms(
                to=international_mobile(phone),
                language=language,
                template="collection/sms/appointment.txt",
                context=context,
            )
        if user.email:
            name = ""
            if kind != "lost":
                name = default_storage.save(
                    random_key("collection", "ics"), ContentFile(ics_for(booking).encode())
                )
            outbox_email(
                to=user.email,
                language=language,
                subject=subjects[kind] % {"reference": application.reference},
                template="collection/email/appointment.txt",
                context=context,
                attachment=name,
                attachment_name=(_("appointment") + ".ics") if name else "",
            )


def tallies_recount() -> int:
    """Set each prefecture's "ready and not collected" from the applications (one grouped
    count on the status index), in case a permit left that status another way."""
    from django.db.models import Count

    counts = dict(
        Application.objects.filter(status=Status.PERMIT_AVAILABLE)
        .values("prefecture_id")
        .annotate(n=Count("id"))
        .values_list("prefecture_id", "n")
    )
    with transaction.atomic():
        CollectionTally.objects.exclude(prefecture_id__in=counts).update(waiting=0)
        for prefecture_id, n in counts.items():
            if prefecture_id is not None:
                CollectionTally.objects.update_or_create(
                    prefecture_id=prefecture_id, defaults={"waiting": n}
                )
    return len(counts)


def tally_permit_ready(*, application: Application, change: int) -> None:
    tally, _created = CollectionTally.objects.select_for_update().get_or_create(
        prefecture_id=application.prefecture_id
    )
    tally.waiting += change
    tally.save(update_fields=["waiting"])


def day_of(site: CollectionSite, moment: datetime) -> date:
    return selectors.local_time(site, moment).date()


# --- The supervisor's settings --------------------------------------------------------


def _check_supervisor(prefecture_id: int, by) -> None:
    if by.role != User.Role.SUPERVISOR or by.prefecture_id != prefecture_id:
        raise PermissionError("not a supervisor of this prefecture")


def site_save(*, site: CollectionSite, by) -> CollectionSite:
    """Create or change a site (the form has filled it); its time zone follows its
    prefecture's territory."""
    from .holidays import time_zone_for

    _check_supervisor(site.prefecture_id, by)
    with transaction.atomic():
        creating = site.pk is None
        site.time_zone = time_zone_for(site.prefecture.department_code)
        if site.is_main:
            CollectionSite.objects.filter(prefecture_id=site.prefecture_id, is_main=True).exclude(
                pk=site.pk
            ).update(is_main=False)
        site.save()
        audit_record(
            action="collection.site_created" if creating else "collection.site_changed",
            actor=by,
            data={
                "site": site.name,
                "site_id": site.pk,
                "slot_minutes": site.slot_minutes,
                "desks": site.desks,
            },
        )
        _rebook_invalid(site, by=by, why="site")
    return site


def hours_set(*, site: CollectionSite, periods: list[tuple], by) -> int:
    """Replace a site's week. Appointments that no longer fit are never dropped
    silently: each person gets a new appointment and is told. Returns how many."""
    from .models import OpeningHours

    _check_supervisor(site.prefecture_id, by)
    with transaction.atomic():
        CollectionSite.objects.select_for_update().get(pk=site.pk)
        site.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(site=site, weekday=weekday, opens=opens, closes=closes)
            for weekday, opens, closes in periods
        )
        audit_record(
            action="collection.hours_changed",
            actor=by,
            data={
                "site": site.name,
                "site_id": site.pk,
                "hours": [
                    [d, o.isoformat("minutes"), c.isoformat("minutes")] for d, o, c in periods
                ],
            },
        )
        return _rebook_invalid(site, by=by, why="hours")


def closure_add(*, site: CollectionSite, starts_on: date, ends_on: date, reason: str, by) -> int:
    from .models import Closure

    _check_supervisor(site.prefecture_id, by)
    with transaction.atomic():
        CollectionSite.objects.select_for_update().get(pk=site.pk)
        closure = Closure.objects.create(
            site=site, starts_on=starts_on, ends_on=ends_on, reason=reason
        )
        audit_record(
            action="collection.closure_added",
            actor=by,
            data={
                "site": site.name,
                "site_id": site.pk,
                "closure_id": closure.pk,
                "from": starts_on.isoformat(),
                "to": ends_on.isoformat(),
                "reason": reason,
            },
        )
        return _rebook_invalid(site, by=by, why="closure")


def closure_remove(*, site: CollectionSite, closure_id: int, by) -> None:
    _check_supervisor(site.prefecture_id, by)
    with transaction.atomic():
        closure = site.closures.get(pk=closure_id)
        audit_record(
            action="collection.closure_removed",
            actor=by,
            data={"site": site.name, "site_id": site.pk, "closure_id": closure.pk},
        )
        closure.delete()


def _rebook_invalid(site: CollectionSite, *, by, why: str) -> int:
    """Appointments ahead at this site that the new calendar no longer allows: each is
    ended, and its person gets the earliest free one with a message saying why."""
    fresh = next(
        (s for s in selectors.sites_with_calendar(site.prefecture_id) if s.pk == site.pk), None
    )
    bookings = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(site=site, status__in=Booking.ACTIVE, starts_at__gt=timezone.now())
        .select_related("application__applicant", "application__prefecture", "site__prefecture")
    )
    moved = 0
    for booking in bookings:
        still = (
            fresh is not None
            and booking.desk is not None
            and booking.desk <= fresh.desks
            and not selectors.slot_problem(fresh, booking.starts_at)
        )
        if still:
            continue
        booking.status = Booking.Status.CANCELLED
        booking.ended_at = timezone.now()
        booking.save(update_fields=["status", "ended_at"])
        _audit("collection.cancelled_by_prefecture", booking, by, why=why)
        new = booking_offer_first(application=booking.application, by=by)
        if new is None:
            _notify(booking, "lost")
        moved += 1
    return moved


def capacity_threshold_set(*, prefecture_id: int, warn_after_days: int, by):
    """The prefecture's threshold for the waiting-time warning, audited."""
    from .models import CapacityRule

    _check_supervisor(prefecture_id, by)
    with transaction.atomic():
        rule, _created = CapacityRule.objects.select_for_update().get_or_create(
            prefecture_id=prefecture_id
        )
        before = rule.warn_after_days
        rule.warn_after_days = warn_after_days
        rule.save(update_fields=["warn_after_days"])
        audit_record(
            action="collection.threshold_changed",
            actor=by,
            data={"from": before, "to": warn_after_days},
        )
    return rule
