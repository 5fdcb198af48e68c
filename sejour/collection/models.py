"""Where and when a ready permit is collected.

Every time is stored in UTC; a site's `time_zone` turns it into the local time
people read (the overseas prefectures work in their own zone).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .holidays import METROPOLITAN_TIME_ZONE


class CollectionSite(models.Model):
    """A place where permits are handed over: the prefecture or a sub-prefecture."""

    prefecture = models.ForeignKey(
        "registry.Prefecture", on_delete=models.PROTECT, related_name="collection_sites"
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.TextField(_("address"))
    access_notes = models.TextField(_("access notes"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=40, default=METROPOLITAN_TIME_ZONE)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15)
    desks = models.PositiveSmallIntegerField(_("desks"), default=1)
    # The postcodes this site serves, separated by spaces; the prefecture's main site
    # serves every postcode no other site names.
    postcodes = models.TextField(_("postcodes served"), blank=True)
    is_main = models.BooleanField(_("main site"), default=False)
    is_active = models.BooleanField(_("open to appointments"), default=True)

    class Meta:
        ordering = ["prefecture", "-is_main", "name"]
        verbose_name = _("collection site")
        verbose_name_plural = _("collection sites")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="site_slot_minutes_min"),
            models.CheckConstraint(condition=Q(desks__gte=1), name="site_desks_min"),
            models.UniqueConstraint(
                fields=["prefecture"], condition=Q(is_main=True), name="one_main_site"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def serves(self, postcode: str) -> bool:
        return postcode.strip() in self.postcodes.split()


class OpeningHours(models.Model):
    """One opening period of a weekday (a site open morning and afternoon has two)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    site = models.ForeignKey(CollectionSite, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"))

    class Meta:
        ordering = ["site", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A one-off closure (works, strike, training day), from one day to another included."""

    site = models.ForeignKey(CollectionSite, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (included)"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["site", "starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=models.F("ends_on")), name="closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} – {self.ends_on}: {self.reason}"


class Booking(models.Model):
    """A collection appointment for one ready permit.

    `offered`: booked by Séjour, the person has not said yet; with `expires_at`
    when it is a freed slot offered from the waiting list (it then passes on).
    `confirmed`: the person keeps it. `arrived`: seen at the desk. The others end it.
    """

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered, to confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        ARRIVED = "arrived", _("Arrived")
        MOVED = "moved", _("Moved to another time")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Offer not taken in time")
        NO_SHOW = "no_show", _("Did not come")

    HOLDING = (Status.OFFERED, Status.CONFIRMED, Status.ARRIVED)
    ACTIVE = (Status.OFFERED, Status.CONFIRMED)

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="collection_bookings"
    )
    site = models.ForeignKey(CollectionSite, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    # Null for a person served without an appointment (walk-in).
    desk = models.PositiveSmallIntegerField(_("desk"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    expires_at = models.DateTimeField(_("offer held until"), null=True, blank=True)
    walk_in = models.BooleanField(_("served without an appointment"), default=False)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "desk"]
        verbose_name = _("collection appointment")
        verbose_name_plural = _("collection appointments")
        constraints = [
            # Two people can never hold the same desk at the same time.
            models.UniqueConstraint(
                fields=["site", "starts_at", "desk"],
                condition=Q(status__in=["offered", "confirmed", "arrived"]),
                name="one_person_per_desk_slot",
            ),
            # One appointment at a time per permit.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["offered", "confirmed", "arrived"]),
                name="one_active_booking_per_permit",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "starts_at"], name="booking_site_day"),
            models.Index(
                fields=["starts_at"],
                condition=Q(status__in=["offered", "confirmed"], reminded_at__isnull=True),
                name="booking_to_remind",
            ),
            models.Index(
                fields=["expires_at"],
                condition=Q(status="offered", expires_at__isnull=False),
                name="booking_offer_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.starts_at:%Y-%m-%d %H:%M} UTC ({self.status})"


class CapacityRule(models.Model):
    """The prefecture's warning threshold for the wait from "permit available" to collection."""

    prefecture = models.OneToOneField(
        "registry.Prefecture", on_delete=models.CASCADE, related_name="collection_capacity"
    )
    warn_after_days = models.PositiveSmallIntegerField(
        _("warn when the wait exceeds (days)"), default=21
    )

    def __str__(self) -> str:
        return f"{self.prefecture_id}: {self.warn_after_days}"


class CollectionTally(models.Model):
    """Per prefecture, kept by the services: permits ready and not collected, and the
    collections made with their total wait, so the capacity view reads one row."""

    prefecture = models.OneToOneField(
        "registry.Prefecture", on_delete=models.CASCADE, related_name="collection_tally"
    )
    waiting = models.IntegerField(default=0)
    collected = models.IntegerField(default=0)
    total_wait_seconds = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefecture_id}: {self.waiting} waiting, {self.collected} collected"
