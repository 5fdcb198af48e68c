"""How collection events read in an application's history (the applicant's and the
prefecture's): words from one place per event kind, the time in the site's local time."""

from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.applications.selectors import EVENT_LABELS


def _when(event) -> dict:
    try:
        local = datetime.fromisoformat(event.data.get("local", ""))
    except ValueError:
        return {"when": "", "site": event.data.get("site", "")}
    return {
        "when": f"{date_format(local, 'j F Y')} {local:%H:%M}",
        "site": event.data.get("site", ""),
    }


LABELS = {
    "collection.offered": lambda e: (
        _("Collection appointment booked for you: %(when)s, %(site)s") % _when(e)
    ),
    "collection.offered_from_waiting_list": lambda e: (
        _("An earlier collection appointment offered: %(when)s, %(site)s") % _when(e)
    ),
    "collection.confirmed": lambda e: (
        _("Collection appointment confirmed: %(when)s, %(site)s") % _when(e)
    ),
    "collection.booked": lambda e: (
        _("Collection appointment booked: %(when)s, %(site)s") % _when(e)
    ),
    "collection.moved": lambda e: (
        _("Collection appointment moved to %(when)s, %(site)s") % _when(e)
    ),
    "collection.cancelled": lambda e: _("Collection appointment cancelled"),
    "collection.cancelled_by_prefecture": lambda e: _(
        "Collection appointment cancelled by the prefecture (opening hours or closure changed)"
    ),
    "collection.offer_expired": lambda e: _("Collection appointment offer not taken in time"),
    "collection.reminded": lambda e: _("Reminder of the collection appointment sent"),
    "collection.arrived": lambda e: _("Arrived at the collection appointment"),
    "collection.no_show": lambda e: _("Did not come to the collection appointment"),
    "collection.walk_in": lambda e: _("Served at the desk without an appointment"),
    "collection.waiting": lambda e: _(
        "No collection appointment free yet: the first one that frees is offered"
    ),
}


def register() -> None:
    EVENT_LABELS.update(LABELS)
