"""The attention list is made by small providers, one per kind of thing that needs the person.

A provider is a function `(context) -> list[AttentionItem]`. It reads what it needs
through the shared `AttentionContext`, whose few queries are made once per person
(the applications, the current document, the attestations, the notice settings), so
the whole list costs a bounded number of queries whatever the person holds.

Another app adds its own kind of item (a message waiting in a conversation, a
collection appointment to confirm) with `@provider` in a module its AppConfig.ready()
imports; nothing here needs to change.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.rules.models import Procedure
from sejour.rules.services import filing_window

# How long a never-downloaded attestation stays "new" in the list.
NEW_ATTESTATION_DAYS = 30
FILING_PROCEDURES = (Procedure.FIRST, Procedure.RENEWAL)


@dataclass(frozen=True)
class AttentionItem:
    """One thing the person should do: what, by when, and the one link that does it."""

    kind: str  # for tests and styling only, never shown
    title: str
    detail: str
    link_url: str
    link_label: str
    due_on: date | None = None
    # Among items with the same deadline (or none), the lower comes first.
    rank: int = 50

    @property
    def sort_key(self) -> tuple:
        return (self.due_on is None, self.due_on or date.max, self.rank, self.title)


class AttentionContext:
    """What the providers read about one person, each part queried once."""

    def __init__(self, *, user, today: date):
        self.user = user
        self.today = today

    @cached_property
    def applications(self) -> list[Application]:
        """Every application that still matters (one query, the columns the list needs)."""
        return list(
            Application.objects.filter(applicant=self.user)
            .exclude(status__in=(Status.WITHDRAWN, Status.CLOSED))
            .only(
                "id",
                "reference",
                "status",
                "procedure",
                "current_document_ends_on",
                "reply_due_on",
                "last_step",
                "filed_at",
                "created_at",
            )
            .order_by("created_at", "id")
        )

    @cached_property
    def document(self):
        from sejour.applications.services import current_document_for

        return current_document_for(self.user)

    @cached_property
    def new_attestations(self) -> list[Attestation]:
        since = self.today - timedelta(days=NEW_ATTESTATION_DAYS)
        return list(
            Attestation.objects.filter(
                application__applicant=self.user,
                first_downloaded_at__isnull=True,
                revoked_at__isnull=True,
                superseded_by__isnull=True,
                issued_at__date__gte=since,
            )
            .exclude(file="")
            .select_related("application")
            .only("number", "kind", "valid_until", "issued_at", "application__reference")
            .order_by("issued_at", "id")
        )

    @cached_property
    def preferences(self):
        from .selectors import preferences_for

        return preferences_for(self.user)


Provider = Callable[[AttentionContext], list[AttentionItem]]
PROVIDERS: list[Provider] = []


def provider(function: Provider) -> Provider:
    """Add a provider to the list (in import order; the items are sorted anyway)."""
    if function not in PROVIDERS:
        PROVIDERS.append(function)
    return function


def _day(value: date) -> str:
    return date_format(value, "j F Y")


@provider
def documents_requested(context: AttentionContext) -> list[AttentionItem]:
    return [
        AttentionItem(
            kind="documents_requested",
            title=_("The prefecture asks you for documents (%(reference)s)")
            % {"reference": application.reference},
            detail=_("Send them by %(date)s, or your application may be refused.")
            % {"date": _day(application.reply_due_on)}
            if application.reply_due_on
            else _("Send them as soon as you can."),
            link_url=reverse("applications:complement", args=[application.reference]),
            link_label=_("Send the documents"),
            due_on=application.reply_due_on,
            rank=10,
        )
        for application in context.applications
        if application.status == Status.WAITING_APPLICANT
    ]


@provider
def permit_to_collect(context: AttentionContext) -> list[AttentionItem]:
    return [
        AttentionItem(
            kind="permit_to_collect",
            title=_("Your residence permit is ready (%(reference)s)")
            % {"reference": application.reference},
            detail=_("Collect it at the prefecture with your electronic stamps."),
            # The collection page: the appointment booked for the person, what to bring.
            link_url=reverse("collection:booking", args=[application.reference]),
            link_label=_("How to collect it"),
            rank=20,
        )
        for application in context.applications
        if application.status == Status.PERMIT_AVAILABLE
    ]


@provider
def attestations_to_download(context: AttentionContext) -> list[AttentionItem]:
    items = []
    for attestation in context.new_attestations:
        detail = (
            _("Valid until %(date)s. Keep it with your document.")
            % {"date": _day(attestation.valid_until)}
            if attestation.valid_until
            else _("Keep it: it proves what it says to anyone who asks.")
        )
        items.append(
            AttentionItem(
                kind="attestation",
                title=_("New: %(kind)s") % {"kind": attestation.get_kind_display()},
                detail=detail,
                link_url=reverse(
                    "applications:attestation_download",
                    args=[attestation.application.reference, attestation.number],
                ),
                link_label=_("Download the attestation"),
                rank=40,
            )
        )
    return items


def filed_for(context: AttentionContext, document) -> bool:
    """Whether the person already filed an application for this document."""
    return any(
        application.filed_at is not None
        and application.procedure in FILING_PROCEDURES
        and application.current_document_ends_on == document.valid_until
        for application in context.applications
    )


@provider
def renewal_window(context: AttentionContext) -> list[AttentionItem]:
    document = context.document
    if document is None or filed_for(context, document):
        return []
    window = filing_window(
        document_kind=document.kind,
        valid_from=document.valid_from,
        valid_until=document.valid_until,
        today=context.today,
    )
    if not window.is_open:
        return []
    draft = next(
        (
            application
            for application in context.applications
            if application.status == Status.DRAFT
            and application.procedure in FILING_PROCEDURES
            and application.current_document_ends_on == document.valid_until
        ),
        None,
    )
    if draft is not None:
        from sejour.applications.services import next_step

        link_url = reverse("applications:step", args=[draft.reference, next_step(draft)])
        link_label = _("Finish my application")
    else:
        link_url, link_label = reverse("applications:new"), _("Apply now")
    if window.is_late:
        return [
            AttentionItem(
                kind="renewal_late",
                title=_("File your application now: you are late"),
                detail=_(
                    "Your document ends on %(end)s. The filing window closed on %(late)s: "
                    "you can still file, but a late application may cost a fine."
                )
                % {"end": _day(window.document_ends_on), "late": _day(window.late_from)},
                link_url=link_url,
                link_label=link_label,
                due_on=window.document_ends_on,
                rank=5,
            )
        ]
    return [
        AttentionItem(
            kind="renewal_open",
            title=_("Your filing window is open"),
            detail=_(
                "Apply between %(opens)s and %(closes)s: your document ends on %(end)s and "
                "while the prefecture examines your application you stay covered."
            )
            % {
                "opens": _day(window.opens_on),
                "closes": _day(window.late_from - timedelta(days=1)),
                "end": _day(window.document_ends_on),
            },
            link_url=link_url,
            link_label=link_label,
            due_on=window.late_from - timedelta(days=1),
            rank=30,
        )
    ]


@provider
def account_details(context: AttentionContext) -> list[AttentionItem]:
    if context.preferences.mobile_phone or not context.preferences.text_messages:
        return []
    return [
        AttentionItem(
            kind="mobile_phone",
            title=_("Add your mobile number"),
            detail=_("We will also send you a text message when something needs you."),
            link_url=reverse("attention:preferences"),
            link_label=_("Add my mobile number"),
            rank=90,
        )
    ]
