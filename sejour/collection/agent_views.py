"""The prefecture's side: the desk's day view, walk-ins, booking for a person, and the
supervisor's sites, hours, closures and capacity."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.instruction.views import agent_required

from . import selectors, services
from .forms import (
    CancelForm,
    ClosureForm,
    DayForm,
    HoursForm,
    SiteForm,
    SlotChoiceForm,
    ThresholdForm,
    WalkInForm,
)
from .models import Booking, CapacityRule, CollectionSite, CollectionTally, OpeningHours


def _supervisor(request) -> None:
    if request.user.role != User.Role.SUPERVISOR:
        raise PermissionDenied


@agent_required
def sites(request):
    rows = list(
        CollectionSite.objects.filter(prefecture_id=request.user.prefecture_id).prefetch_related(
            "hours"
        )
    )
    return render(
        request,
        "collection/agents/sites.html",
        {"sites": rows, "is_supervisor": request.user.role == User.Role.SUPERVISOR},
    )


@agent_required
def site_edit(request, site_id=None):
    _supervisor(request)
    if site_id is None:
        site = CollectionSite(prefecture=request.user.prefecture)
    else:
        site = selectors.site_for_agent(request.user, site_id)
    form = SiteForm(request.POST if request.method == "POST" else None, instance=site)
    if request.method == "POST" and form.is_valid():
        moved = services.site_save(site=form.save(commit=False), by=request.user)
        messages.success(request, _("The site is saved."))
        return redirect("collection:hours", moved.pk)
    return render(
        request,
        "collection/agents/site_form.html",
        {"form": form, "site": site, "submit_label": _("Save the site")},
        status=400 if request.method == "POST" else 200,
    )


@agent_required
def site_hours(request, site_id):
    _supervisor(request)
    site = selectors.site_for_agent(request.user, site_id)
    initial = {}
    counts: dict[int, int] = {}
    for hours in site.hours.all():
        counts[hours.weekday] = counts.get(hours.weekday, 0) + 1
        period = counts[hours.weekday]
        if period <= 2:
            initial[f"d{hours.weekday}_{period}_opens"] = hours.opens
            initial[f"d{hours.weekday}_{period}_closes"] = hours.closes
    form = HoursForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        moved = services.hours_set(site=site, periods=form.cleaned_data["periods"], by=request.user)
        if moved:
            messages.warning(
                request,
                _(
                    "The hours are saved. %(count)d appointment(s) no longer fitted: "
                    "each person has been offered a new time and told."
                )
                % {"count": moved},
            )
        else:
            messages.success(request, _("The hours are saved."))
        return redirect("collection:sites")
    days = [
        (label, [form[f"d{weekday}_{p}_{e}"] for p in (1, 2) for e in ("opens", "closes")])
        for weekday, label in OpeningHours.Weekday.choices
    ]
    return render(
        request,
        "collection/agents/hours.html",
        {"form": form, "site": site, "days": days},
        status=400 if request.method == "POST" else 200,
    )


@agent_required
def site_closures(request, site_id):
    _supervisor(request)
    site = selectors.site_for_agent(request.user, site_id)
    form = ClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and "remove" in request.POST:
        try:
            services.closure_remove(
                site=site, closure_id=int(request.POST["remove"]), by=request.user
            )
        except (ValueError, site.closures.model.DoesNotExist):
            raise Http404 from None
        messages.success(request, _("The closure is removed."))
        return redirect("collection:closures", site.pk)
    if request.method == "POST" and form.is_valid():
        moved = services.closure_add(site=site, by=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("The closure is saved. %(count)d appointment(s) were moved, each person told.")
            % {"count": moved},
        )
        return redirect("collection:closures", site.pk)
    return render(
        request,
        "collection/agents/closures.html",
        {
            "form": form,
            "site": site,
            "closures": site.closures.filter(ends_on__gte=timezone.localdate()),
            "submit_label": _("Add the closure"),
        },
        status=400 if request.method == "POST" else 200,
    )


@agent_required
def day(request, site_id):
    """Today's appointments at a site, by time (or another day with ?jour=YYYY-MM-DD)."""
    site = selectors.site_for_agent(request.user, site_id)
    today = selectors.local_time(site, timezone.now()).date()
    shown = today
    if request.GET.get("jour"):
        try:
            shown = datetime.strptime(request.GET["jour"], "%Y-%m-%d").date()
            if abs((shown - today).days) > 366:
                raise ValueError("more than a year away")
        except ValueError:
            shown = today
            messages.error(request, _("This date is not valid: today is shown."))
    bookings = selectors.day_bookings(site, shown)
    for booking in bookings:
        booking.local = selectors.local_time(site, booking.starts_at)
    return render(
        request,
        "collection/agents/day.html",
        {
            "site": site,
            "day": shown,
            "today": today,
            "previous": shown - timedelta(days=1),
            "next": shown + timedelta(days=1),
            "bookings": bookings,
            "walk_in_form": WalkInForm(),
            "now": timezone.now(),
        },
    )


@agent_required
@require_POST
def booking_action(request, booking_id, action):
    booking = get_object_or_404(
        Booking.objects.select_related("site"),
        pk=booking_id,
        site__prefecture_id=request.user.prefecture_id,
    )
    operations = {"arrived": services.booking_arrived, "no_show": services.booking_no_show}
    if action not in operations:
        raise Http404
    try:
        operations[action](booking=booking, by=request.user)
    except services.CollectionError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Recorded as arrived.")
            if action == "arrived"
            else _("Recorded as not come; a new appointment has been offered to the person."),
        )
    day = selectors.local_time(booking.site, booking.starts_at).date()
    return redirect(
        f"{_url('collection:day', booking.site_id)}?jour={day.isoformat()}#rdv-{booking.pk}"
    )


def _url(name, *args):
    from django.urls import reverse

    return reverse(name, args=args)


@agent_required
@require_POST
def walk_in(request, site_id):
    site = selectors.site_for_agent(request.user, site_id)
    form = WalkInForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper().replace(" ", "")
        application = Application.objects.filter(
            reference=reference, prefecture_id=request.user.prefecture_id
        ).first()
        if application is None:
            form.add_error("reference", _("No application of this prefecture has this reference."))
        else:
            try:
                services.walk_in_record(application=application, site=site, by=request.user)
            except services.CollectionError as error:
                form.add_error("reference", error.message)
            else:
                messages.success(
                    request, _("Recorded: the person is served without an appointment.")
                )
                return redirect("instruction:application", application.reference)
    bookings = selectors.day_bookings(site, selectors.local_time(site, timezone.now()).date())
    for booking in bookings:
        booking.local = selectors.local_time(site, booking.starts_at)
    today = selectors.local_time(site, timezone.now()).date()
    return render(
        request,
        "collection/agents/day.html",
        {
            "site": site,
            "day": today,
            "today": today,
            "previous": today - timedelta(days=1),
            "next": today + timedelta(days=1),
            "bookings": bookings,
            "walk_in_form": form,
            "now": timezone.now(),
        },
        status=400,
    )


@agent_required
def staff_booking(request, reference):
    """An agent books, moves or cancels for a person (phone, desk), audited as such."""
    application = get_object_or_404(
        Application.objects.select_related("applicant", "prefecture"),
        reference=reference,
        prefecture_id=request.user.prefecture_id,
        status=Status.PERMIT_AVAILABLE,
    )
    sites = selectors.sites_with_calendar(application.prefecture_id)
    current = selectors.active_booking(application)
    slot_form = SlotChoiceForm(request.POST if "slot" in request.POST else None)
    cancel_form = CancelForm(request.POST if "cancel" in request.POST else None)
    status = 200
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                if current is None:
                    raise services.CollectionError(_("There is no appointment to cancel."))
                if cancel_form.is_valid():
                    services.booking_cancel(
                        booking=current, by=request.user, reason=cancel_form.cleaned_data["reason"]
                    )
                    messages.success(
                        request, _("The appointment is cancelled; the person is told.")
                    )
                    return redirect("collection:staff_booking", reference)
            elif slot_form.is_valid():
                site_id, starts_at = slot_form.cleaned_data["slot"]
                site = next((s for s in sites if s.pk == site_id), None)
                if site is None:
                    raise services.CollectionError(
                        _("Choose one of the prefecture's sites."), "slot"
                    )
                services.booking_choose(
                    application=application, site=site, starts_at=starts_at, by=request.user
                )
                messages.success(request, _("The appointment is booked; the person is told."))
                return redirect("collection:staff_booking", reference)
        except services.CollectionError as error:
            if slot_form.is_bound:
                slot_form.add_error("slot", error.message)
            else:
                messages.error(request, error.message)
        status = 400
    data = request.GET if "day" in request.GET else None
    day_form = DayForm(data, sites=sites, initial={"day": timezone.localdate()})
    slots = []
    today = timezone.localdate()
    last = today + timedelta(days=selectors.HORIZON_DAYS)
    if data is not None and day_form.is_valid():
        site = next((s for s in sites if s.pk == day_form.cleaned_data["site"]), None)
        if not today <= day_form.cleaned_data["day"] <= last:
            day_form.add_error(
                "day",
                _("Choose a day between today and %(last)s.") % {"last": date_format(last)},
            )
            site = None
        if site is not None:
            zone = ZoneInfo(site.time_zone)
            start = datetime.combine(day_form.cleaned_data["day"], time.min, tzinfo=zone)
            slots = [
                (f"{s.site.pk}|{s.starts_at.isoformat()}", time_format(s.local, "H:i"))
                for s in selectors.free_slots(
                    [site],
                    start=max(start, timezone.now() + selectors.LEAD),
                    end=start + timedelta(days=1),
                )
            ]
    slot_form.fields["slot"].choices = slots
    return render(
        request,
        "collection/agents/staff_booking.html",
        {
            "application": application,
            "booking": current,
            "local": selectors.local_time(current.site, current.starts_at) if current else None,
            "day_form": day_form,
            "slot_form": slot_form,
            "slots": slots,
            "cancel_form": cancel_form,
        },
        status=status,
    )


@agent_required
def capacity(request):
    """Permits ready and not collected, free capacity ahead, average wait; a warning above
    the prefecture's threshold. Read from the tally and the bookings' index, not counted."""
    _supervisor(request)
    prefecture = request.user.prefecture
    tally = CollectionTally.objects.filter(prefecture=prefecture).first()
    rule = CapacityRule.objects.filter(prefecture=prefecture).first()
    threshold = (
        rule.warn_after_days if rule else CapacityRule._meta.get_field("warn_after_days").default
    )
    form = ThresholdForm(
        request.POST if request.method == "POST" else None,
        initial={"warn_after_days": threshold},
    )
    if request.method == "POST" and form.is_valid():
        services.capacity_threshold_set(
            prefecture_id=prefecture.pk,
            warn_after_days=form.cleaned_data["warn_after_days"],
            by=request.user,
        )
        messages.success(request, _("The threshold is saved."))
        return redirect("collection:capacity")
    sites = selectors.sites_with_calendar(prefecture.pk)
    now = timezone.now()
    end = now + timedelta(days=selectors.HORIZON_DAYS)
    rows = []
    for site in sites:
        total = 0
        zone = ZoneInfo(site.time_zone)
        day, last = now.astimezone(zone).date(), end.astimezone(zone).date()
        while day <= last:
            total += len(selectors.day_starts(site, day)) * site.desks
            day += timedelta(days=1)
        rows.append({"site": site, "slots": total})
    taken = dict(
        Booking.objects.filter(
            site__in=sites, starts_at__gte=now, starts_at__lt=end, status__in=Booking.HOLDING
        )
        .values("site_id")
        .annotate(n=Count("id"))
        .values_list("site_id", "n")
    )
    for row in rows:
        row["booked"] = taken.get(row["site"].pk, 0)
        row["free"] = max(row["slots"] - row["booked"], 0)
    average_days = (
        tally.total_wait_seconds / tally.collected / 86400 if tally and tally.collected else None
    )
    # The average only moves when permits are collected; a permit still waiting past the
    # threshold is warned about as well.
    oldest = Application.objects.filter(
        prefecture=prefecture, status=Status.PERMIT_AVAILABLE
    ).aggregate(made=Min("permit_made_at"))["made"]
    longest_days = (now - oldest).days if oldest else None
    return render(
        request,
        "collection/agents/capacity.html",
        {
            "rows": rows,
            "waiting": tally.waiting if tally else 0,
            "collected": tally.collected if tally else 0,
            "average_days": average_days,
            "threshold": threshold,
            "longest_days": longest_days,
            "average_warning": average_days is not None and average_days > threshold,
            "longest_warning": longest_days is not None and longest_days > threshold,
            "form": form,
            "submit_label": _("Save the threshold"),
        },
        status=400 if request.method == "POST" else 200,
    )
