"""The holder's page to keep, move or give up their collection appointment."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sejour.core.http import content_disposition, download_filename
from sejour.instruction.services import amount_due

from . import selectors, services
from .forms import CancelForm, DayForm, SlotChoiceForm


def _day_slots(site, day) -> list[tuple[str, str]]:
    zone = ZoneInfo(site.time_zone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    now = timezone.now()
    slots = selectors.free_slots(
        [site], start=max(start, now + selectors.LEAD), end=start + timedelta(days=1)
    )
    return [
        (f"{slot.site.pk}|{slot.starts_at.isoformat()}", time_format(slot.local, "H:i"))
        for slot in slots
    ]


def _page(request, application, *, status=200, slot_form=None, cancel_form=None):
    booking = selectors.active_booking(application)
    sites = selectors.sites_with_calendar(application.prefecture_id)
    today = timezone.localdate()
    data = request.GET if "day" in request.GET else None
    default_site = booking.site if booking else selectors.site_for(application, sites)
    day_form = DayForm(
        data,
        sites=sites,
        initial={"site": default_site.pk if default_site else None, "day": today},
    )
    chosen_site, chosen_day, day_note = None, None, ""
    if data is not None and day_form.is_valid():
        chosen_site = next((s for s in sites if s.pk == day_form.cleaned_data["site"]), None)
        chosen_day = day_form.cleaned_data["day"]
        if not today <= chosen_day <= today + timedelta(days=selectors.HORIZON_DAYS):
            day_form.add_error(
                "day",
                _("Choose a day between today and %(last)s.")
                % {"last": date_format(today + timedelta(days=selectors.HORIZON_DAYS))},
            )
            chosen_site = None
        elif chosen_site is not None:
            reason = selectors.closed_reason(chosen_site, chosen_day)
            if reason:
                day_note = _("The site is closed that day (%(reason)s). Choose another day.") % {
                    "reason": reason
                }
    slots = _day_slots(chosen_site, chosen_day) if chosen_site and not day_note else []
    if slot_form is None:
        slot_form = SlotChoiceForm(slots=slots)
    else:
        slot_form.fields["slot"].choices = slots or slot_form.fields["slot"].choices
    fees = amount_due(application)
    return render(
        request,
        "collection/booking.html",
        {
            "application": application,
            "booking": booking,
            "local": selectors.local_time(booking.site, booking.starts_at) if booking else None,
            "expires": (
                selectors.local_time(booking.site, booking.expires_at)
                if booking and booking.expires_at
                else None
            ),
            "sites": sites,
            "day_form": day_form,
            "chosen_site": chosen_site,
            "chosen_day": chosen_day,
            "day_note": day_note,
            "slot_form": slot_form,
            "slots": slots,
            "cancel_form": cancel_form or CancelForm(),
            "fees": fees,
            "total_cents": fees.total_cents,
        },
        status=status,
    )


@login_required
def booking(request, reference):
    application = selectors.ready_application_for_holder(request, reference)
    return _page(request, application)


@login_required
@require_POST
def booking_keep(request, reference):
    application = selectors.ready_application_for_holder(request, reference)
    current = selectors.active_booking(application)
    if current is None:
        messages.error(request, _("You have no appointment to confirm."))
        return redirect("collection:booking", reference)
    try:
        services.booking_keep(booking=current, by=request.user)
    except services.CollectionError as error:
        messages.error(request, error.message)
        return redirect("collection:booking", reference)
    messages.success(
        request, _("Your appointment is confirmed. We will remind you two days before.")
    )
    return redirect("collection:booking", reference)


@login_required
@require_POST
def booking_move(request, reference):
    application = selectors.ready_application_for_holder(request, reference)
    form = SlotChoiceForm(request.POST)
    if form.is_valid():
        site_id, starts_at = form.cleaned_data["slot"]
        site = next(
            (
                s
                for s in selectors.sites_with_calendar(application.prefecture_id)
                if s.pk == site_id
            ),
            None,
        )
        try:
            if site is None:
                raise services.CollectionError(_("Choose one of your prefecture's sites."), "slot")
            services.booking_choose(
                application=application, site=site, starts_at=starts_at, by=request.user
            )
        except services.CollectionError as error:
            form.add_error("slot", error.message)
        else:
            messages.success(
                request, _("Your new appointment is booked. A confirmation is on its way.")
            )
            return redirect("collection:booking", reference)
    return _page(request, application, status=400, slot_form=form)


@login_required
@require_POST
def booking_cancel(request, reference):
    application = selectors.ready_application_for_holder(request, reference)
    form = CancelForm(request.POST)
    current = selectors.active_booking(application)
    if not form.is_valid():
        return _page(request, application, status=400, cancel_form=form)
    if current is None:
        messages.error(request, _("You have no appointment to cancel."))
        return redirect("collection:booking", reference)
    try:
        services.booking_cancel(
            booking=current, by=request.user, reason=form.cleaned_data["reason"]
        )
    except services.CollectionError as error:
        messages.error(request, error.message)
        return redirect("collection:booking", reference)
    messages.success(
        request,
        _(
            "Your appointment is cancelled. Choose another time below when you can; "
            "we will also offer you the first time that becomes free."
        ),
    )
    return redirect("collection:booking", reference)


@login_required
def booking_calendar(request, reference):
    """The appointment as an .ics file, for the holder only."""
    application = selectors.ready_application_for_holder(request, reference)
    current = selectors.active_booking(application)
    if current is None:
        from django.http import Http404

        raise Http404
    response = HttpResponse(services.ics_for(current), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition(
        download_filename(_("appointment"), application.reference, extension="ics")
    )
    return response
