import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sejour.core.codes import readable_code
from sejour.registry.models import DocumentKind, Motive
from sejour.rules.models import Procedure


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft, not sent")
    FILED = "filed", _("Filed")
    UNDER_INSTRUCTION = "under_instruction", _("Under instruction")
    WAITING_APPLICANT = "waiting_applicant", _("Under instruction: documents requested from you")
    DECISION_TAKEN = "decision_taken", _("Decision taken")
    PERMIT_AVAILABLE = "permit_available", _("Permit available")
    HANDED_OVER = "handed_over", _("Permit handed over")
    CLOSED = "closed", _("Closed without follow-up")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


# The applicant sees four steps (SPEC §4); each status says which one it is in.
APPLICANT_STAGES = [
    (Status.FILED, _("Filed")),
    (Status.UNDER_INSTRUCTION, _("Under instruction")),
    (Status.DECISION_TAKEN, _("Decision taken")),
    (Status.PERMIT_AVAILABLE, _("Permit available")),
]
STAGE_OF_STATUS = {
    Status.FILED: 0,
    Status.UNDER_INSTRUCTION: 1,
    Status.WAITING_APPLICANT: 1,
    Status.DECISION_TAKEN: 2,
    Status.PERMIT_AVAILABLE: 3,
    Status.HANDED_OVER: 3,
}


# Letters NFKD does not split into a base letter and an accent.
_LIGATURES = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l", "ı": "i"}
)


def searchable(text: str) -> str:
    """Lowercase, without accents, single spaces: what name search compares.

    Applied when an application is written and to what an agent types, the same
    way on SQLite and PostgreSQL, so the column needs no function at query time
    and PostgreSQL's trigram index serves `LIKE '%…%'` on it directly.
    """
    text = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("-", " ").replace("'", " ").split())


def _new_reference() -> str:
    return "SJ-" + readable_code(8)


class Application(models.Model):
    """An application for a residence permit, from draft to handover."""

    reference = models.CharField(_("reference"), max_length=12, unique=True, default=_new_reference)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    motive = models.CharField(_("motive"), max_length=30, choices=Motive.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # The last wizard step validated and saved; the wizard resumes after it.
    last_step = models.CharField(_("last saved step"), max_length=20, blank=True)
    # Answers per step: {"personal": {...}, "motive": {...}, "resources": {...}}.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    prefecture = models.ForeignKey(
        "registry.Prefecture",
        verbose_name=_("competent prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    # The applicant's document when the application was started (a copy from the registry).
    current_document = models.JSONField(_("current document"), default=dict)
    current_document_ends_on = models.DateField(_("current document ends on"), db_index=True)
    late = models.BooleanField(_("filed late"), default=False)
    ephoto_code = models.CharField(_("e-photo code"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    instruction_started_at = models.DateTimeField(_("instruction started"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    permit_made_at = models.DateTimeField(_("permit made"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    # While the applicant is asked for documents: the answer's deadline (the open
    # complement request's), so the queue's "deadline passed" filter is one index range.
    reply_due_on = models.DateField(_("answer expected by"), null=True, blank=True)
    # The applicant's names as `searchable` writes them, for the agents' name search.
    search_name = models.CharField(_("name as searched"), max_length=260, blank=True, default="")
    # When the applicant's oldest message not yet answered was sent (kept by
    # `conversations.services.message_send`), so that the queue's "waiting for our
    # answer" filter is one index range and the page shows its age without a join.
    awaiting_answer_since = models.DateTimeField(
        _("waiting for an answer since"), null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The ADP coverage-gap gauge (operations.selectors): applications waiting for a
            # decision whose current document has ended, without reading the others.
            # With the id, PostgreSQL answers from the index alone (an index-only scan).
            models.Index(
                fields=["current_document_ends_on", "id"],
                condition=models.Q(status__in=["filed", "under_instruction", "waiting_applicant"])
                & ~models.Q(procedure__in=["address_change", "duplicate"]),
                name="pending_by_document_end",
            ),
            # Shaped like the agents' queue: one prefecture, filed applications, an
            # optional filter, in urgency order (document ending first, then filing,
            # then id for a stable keyset). PostgreSQL reads the first page of any
            # of these views straight from one index, without sorting.
            models.Index(
                fields=["prefecture", "current_document_ends_on", "filed_at", "id"],
                condition=Q(filed_at__isnull=False),
                name="queue_all",
            ),
            models.Index(
                fields=["prefecture", "status", "current_document_ends_on", "filed_at", "id"],
                condition=Q(filed_at__isnull=False),
                name="queue_by_status",
            ),
            models.Index(
                fields=["prefecture", "motive", "current_document_ends_on", "filed_at", "id"],
                condition=Q(filed_at__isnull=False),
                name="queue_by_motive",
            ),
            models.Index(
                fields=["prefecture", "current_document_ends_on", "filed_at", "id"],
                condition=Q(filed_at__isnull=False, late=True),
                name="queue_late",
            ),
            # "Deadline passed": the prefecture's applications waiting for an answer, in
            # the urgency order, the deadline last so that the index itself skips the
            # ones not yet due (a range on the deadline alone would need a sort, and
            # PostgreSQL would rather walk the whole queue in order for a LIMIT).
            models.Index(
                fields=["prefecture", "current_document_ends_on", "filed_at", "id", "reply_due_on"],
                condition=Q(filed_at__isnull=False, reply_due_on__isnull=False),
                name="queue_reply_due_in_order",
            ),
            # "Waiting for our answer": a message of the applicant not yet answered, in
            # the urgency order (a small part of the queue, read in order from here).
            models.Index(
                fields=["prefecture", "current_document_ends_on", "filed_at", "id"],
                condition=Q(filed_at__isnull=False, awaiting_answer_since__isnull=False),
                name="queue_awaiting_answer",
            ),
            # The oldest message waiting for an answer in a prefecture: the first entry.
            models.Index(
                fields=["prefecture", "awaiting_answer_since"],
                condition=Q(filed_at__isnull=False, awaiting_answer_since__isnull=False),
                name="oldest_awaiting_answer",
            ),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        # The name the queue shows (the account's, from the national file), as searched.
        # Set when the application is created, and whenever the applicant is at hand:
        # an account's names do not change once it has applications.
        if self._state.adding or Application.applicant.is_cached(self):
            self.search_name = searchable(
                f"{self.applicant.first_names} {self.applicant.last_name}"
            )
        super().save(*args, **kwargs)

    @property
    def stage(self) -> int | None:
        return STAGE_OF_STATUS.get(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def follows_a_vls_ts(self) -> bool:
        """Filed by the holder of a validated VLS-TS: a renewal whose first-permit tax was
        paid at the validation (decision 0011); pages and the ADP say so."""
        return self.current_document.get("kind") == DocumentKind.VLS_TS

    @property
    def typed_name(self) -> str:
        """The name as typed in the wizard: for the agent to compare, never to certify
        (attestations print `accounts.selectors.certified_identity`)."""
        personal = self.answers.get("personal", {})
        return f"{personal.get('first_names', '')} {personal.get('last_name', '').upper()}".strip()


class ReturningMark(models.Model):
    """The server's half of the ``sejour_returning`` cookie (see ``pending.py``).

    One per applicant: the cookie is honoured only while it carries this row's
    nonce, so logging out (the row goes) revokes every copy of it, and keeping a
    step draws a new nonce (a copied cookie keeps at most one step). The session
    that holds the kept step is named here, so a new one replaces it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="returning_mark"
    )
    nonce = models.CharField(max_length=32, unique=True)
    session_key = models.CharField(max_length=40, blank=True)
    # When the cookie carrying this nonce was last signed: no copy of it is honoured
    # PENDING_STEP_KEEP_SECONDS after that, so the housekeeping job deletes the row then.
    refreshed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"returning mark of user {self.user_id}"
