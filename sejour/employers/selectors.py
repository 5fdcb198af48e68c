"""Reads about employers and checks: who may see which check."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import Http404

from sejour.attestations import signing

from .models import CheckRequest, Employer, EmployerMember


def member_for(user) -> EmployerMember | None:
    if not user.is_authenticated:
        return None
    return (
        EmployerMember.objects.select_related("employer")
        .filter(user=user, user__is_active=True)
        .first()
    )


def check_for_employer(*, employer: Employer, reference: str) -> CheckRequest:
    """404 for a check of another employer: its existence is not theirs to learn."""
    check = (
        CheckRequest.objects.select_related("employer", "answered_by")
        .filter(employer=employer, reference=reference)
        .first()
    )
    if check is None:
        raise Http404
    return check


def checks_for_employer(*, employer: Employer, before: tuple | None = None, limit: int = 25):
    """Newest first, paged by key (created_at, id) so a long history stays fast."""
    rows = CheckRequest.objects.filter(employer=employer).only(
        "reference", "created_at", "foreign_number", "attestation_number", "job_start", "status",
        "genuine", "valid_on_start", "allows_work", "due_on", "employer_id", "id",
    )  # fmt: skip
    if before is not None:
        created_at, pk = before
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    return list(rows.order_by("-created_at", "-id")[:limit])


def check_for_agent(*, user, reference: str) -> CheckRequest:
    """404 to agents of another prefecture."""
    check = (
        CheckRequest.objects.select_related("employer", "prefecture")
        .filter(reference=reference, prefecture_id=user.prefecture_id)
        .first()
    )
    if check is None or user.prefecture_id is None:
        raise Http404
    return check


def checks_waiting_for_prefecture(*, prefecture_id: int, limit: int = 100):
    """The prefecture's queue: the nearest deadline first (index prefecture, status, due_on)."""
    return list(
        CheckRequest.objects.filter(
            prefecture_id=prefecture_id, status=CheckRequest.Status.WAITING_PREFECTURE
        )
        .select_related("employer")
        .order_by("due_on", "id")[:limit]
    )


def checks_waiting_count(*, prefecture_id: int) -> int:
    return CheckRequest.objects.filter(
        prefecture_id=prefecture_id, status=CheckRequest.Status.WAITING_PREFECTURE
    ).count()


def _holder_filter(user) -> Q:
    condition = Q(holder=user)
    if user.identifier:
        # Checks made before the holder had an account here are theirs too.
        condition |= Q(foreign_number=user.identifier)
    return condition


def checks_for_holder(*, user, limit: int = 200):
    return list(
        CheckRequest.objects.filter(_holder_filter(user))
        .select_related("employer")
        .order_by("-created_at", "-id")[:limit]
    )


def check_for_holder(*, user, reference: str) -> CheckRequest:
    check = (
        CheckRequest.objects.filter(_holder_filter(user), reference=reference)
        .select_related("employer")
        .first()
    )
    if check is None:
        raise Http404
    return check


@dataclass(frozen=True)
class AnswerCheck:
    state: str  # forged, not_kept, genuine
    payload: dict | None = None
    check: CheckRequest | None = None

    @property
    def job_start(self) -> date | None:
        return date.fromisoformat(self.payload["s"]) if self.payload else None

    @property
    def valid_until(self) -> date | None:
        return date.fromisoformat(self.payload["u"]) if self.payload and self.payload["u"] else None


def answer_verify(*, token: str) -> AnswerCheck:
    """Is this answer's QR code ours, and does it say what we answered?"""
    from .pdf import answer_payload

    payload = signing.verify(token)
    if not payload or payload.get("t") != "employer_check":
        return AnswerCheck(state="forged")
    check = (
        CheckRequest.objects.select_related("employer").filter(reference=payload.get("c")).first()
    )
    if check is None:
        # Signed by us, but past the legal period: no longer kept.
        return AnswerCheck(state="not_kept", payload=payload)
    signed = {key: value for key, value in payload.items() if key != "k"}
    if signed != answer_payload(check):
        return AnswerCheck(state="forged")
    return AnswerCheck(state="genuine", payload=payload, check=check)
