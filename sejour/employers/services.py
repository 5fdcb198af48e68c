"""Writes about employers and their checks: each in one transaction with its audit event."""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sejour.accounts.languages import language_current, language_of
from sejour.accounts.models import User
from sejour.audit.services import audit_record
from sejour.core.codes import readable_code
from sejour.notifications.services import outbox_email

from . import checking
from .adapter import get_company_registry
from .models import (
    ApiToken,
    ApiUsage,
    CheckRequest,
    Employer,
    EmployerLink,
    EmployerMember,
    token_hash,
)
from .workdays import working_days_after

ANSWER_DAYS = 2  # working days the prefecture has (Code du travail, art. R. 5221-42)


class TooManyChecks(Exception):
    """The employer asked for more checks this hour than EMPLOYER_CHECKS_PER_HOUR."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class EmployerError(Exception):
    """A refusal to show next to a field (or above the form when field is None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


# --- Accounts ----------------------------------------------------------------------


def _link_send(*, link: EmployerLink, token: str, subject: str, template: str, context: dict):
    language = language_current()
    with translation.override(language):
        outbox_email(
            language=language,
            to=link.email,
            subject=subject,
            template=template,
            context={"hours": settings.ACCOUNT_EMAIL_LINK_MAX_AGE // 3600, **context},
            secret_context={"link": settings.SITE_URL + reverse("employers:link", args=[token])},
        )


def employer_signup_start(*, siret: str, email: str) -> EmployerLink:
    """Check the SIRET against the register, then e-mail a link to the work address."""
    company = get_company_registry().company(siret=siret)
    if company is None:
        raise EmployerError(
            _("No establishment with this SIRET is known to the register."), "siret"
        )
    if not company.active:
        raise EmployerError(
            _("This establishment is closed in the register: use the SIRET of an open one."),
            "siret",
        )
    if Employer.objects.filter(siret=siret).exists():
        raise EmployerError(
            _(
                "This company already has a space. Ask its administrator to invite you "
                "with your work e-mail address."
            ),
            "siret",
        )
    if EmployerMember.objects.filter(email=email).exists():
        raise EmployerError(_("An employer's account already uses this address."), "email")
    with transaction.atomic():
        link, token = EmployerLink.issue(
            purpose=EmployerLink.Purpose.SIGNUP, email=email, siret=siret
        )
        _link_send(
            link=link,
            token=token,
            subject=_("Séjour employers: confirm your work e-mail address"),
            template="employers/email/signup.txt",
            context={"company": company.name},
        )
    return link


def employer_invite(*, employer: Employer, email: str, by: User) -> EmployerLink:
    if EmployerMember.objects.filter(email=email).exists():
        raise EmployerError(_("An employer's account already uses this address."), "email")
    with transaction.atomic():
        link, token = EmployerLink.issue(
            purpose=EmployerLink.Purpose.INVITATION,
            email=email,
            siret=employer.siret,
            employer=employer,
            invited_by=by,
        )
        audit_record(
            action="employer.invited", actor=by, data={"employer": employer.siret, "email": email}
        )
        _link_send(
            link=link,
            token=token,
            subject=_("Séjour employers: you are invited to %(company)s's space")
            % {"company": employer.name},
            template="employers/email/invitation.txt",
            context={"company": employer.name},
        )
    return link


def employer_link_complete(*, token: str, first_names: str, last_name: str, password: str) -> User:
    """Create the user (and, for a sign-up, the employer) behind a confirmed link."""
    with transaction.atomic():
        link = EmployerLink.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        if link is None or link.used_at is not None or link.is_expired:
            raise EmployerError(
                _(
                    "This link no longer works: it was already used or has expired. "
                    "Ask for a new one."
                )
            )
        if EmployerMember.objects.filter(email=link.email).exists():
            raise EmployerError(_("An employer's account already uses this address."))
        if link.purpose == EmployerLink.Purpose.SIGNUP:
            company = get_company_registry().company(siret=link.siret)
            if company is None or not company.active:
                raise EmployerError(_("No establishment with this SIRET is known to the register."))
            employer, created = Employer.objects.get_or_create(
                siret=link.siret,
                defaults={"name": company.name, "postcode": company.postcode, "city": company.city},
            )
            if not created:
                raise EmployerError(
                    _("This company already has a space. Ask its administrator to invite you.")
                )
            is_admin = True
        else:
            employer, is_admin = link.employer, False
        user = User.objects.create_user(
            "E-" + readable_code(10),
            password,
            email=link.email,
            email_verified_at=timezone.now(),
            first_names=first_names,
            last_name=last_name,
            role=User.Role.EMPLOYER,
        )
        EmployerMember.objects.create(
            employer=employer, user=user, email=link.email, is_admin=is_admin
        )
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        audit_record(
            action="employer.signed_up" if is_admin else "employer.member_joined",
            actor=user,
            data={"employer": employer.siret},
        )
    return user


def employer_member_remove(*, member: EmployerMember, by: User) -> None:
    """An administrator removes a colleague: their account can no longer log in."""
    if member.user_id == by.pk:
        raise EmployerError(_("You cannot remove yourself."))
    with transaction.atomic():
        user = member.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(
            action="employer.member_removed",
            actor=by,
            data={"employer": member.employer.siret, "email": member.email},
        )


# --- API tokens ----------------------------------------------------------------------


def api_token_create(
    *, employer: Employer, name: str, scopes: list[str], by: User
) -> tuple[ApiToken, str]:
    """Make a token; the clear value is returned once and never stored."""
    clear = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            employer=employer,
            name=name,
            token_hash=token_hash(clear),
            hint=clear[:10],
            scopes=sorted(set(scopes)),
            created_by=by,
        )
        audit_record(
            action="employer.api_token_created",
            actor=by,
            data={"employer": employer.siret, "token": token.hint, "scopes": token.scopes},
        )
    return token, clear


def api_token_revoke(*, token: ApiToken, by: User) -> None:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            action="employer.api_token_revoked",
            actor=by,
            data={"employer": locked.employer.siret, "token": locked.hint},
        )


def api_usage_count(*, token: ApiToken) -> tuple[int, int]:
    """Count one request in this minute; (requests so far, seconds to the next minute)."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        try:
            with transaction.atomic():
                ApiUsage.objects.get_or_create(token=token, minute=minute)
        except IntegrityError:
            pass  # another process made this minute's row first
        ApiUsage.objects.filter(token=token, minute=minute).update(count=F("count") + 1)
        count = ApiUsage.objects.get(token=token, minute=minute).count
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return count, 60 - now.second


# --- Checks --------------------------------------------------------------------------


def _answer_fields(finding: checking.Finding) -> dict:
    return {
        "genuine": finding.genuine,
        "valid_on_start": finding.valid_on_start,
        "allows_work": finding.allows_work,
        "valid_until": finding.valid_until,
        "yearly_work_limit_hours": finding.yearly_work_limit_hours,
        "holder_name": finding.holder_name,
        "holder_birth_date": finding.holder_birth_date,
    }


def _audit_data(check: CheckRequest) -> dict:
    # The answer's words only: what the employer learnt, never more.
    return {
        "reference": check.reference,
        "employer": check.employer.siret,
        "verdict": check.verdict,
        "valid_until": check.valid_until.isoformat() if check.valid_until else None,
    }


def _pdf_queue(check: CheckRequest) -> None:
    from .tasks import render_check_answer

    check_id = check.pk
    transaction.on_commit(lambda: render_check_answer.enqueue(check_id))


def check_request_create(
    *,
    employer: Employer,
    by: User | None,
    foreign_number: str = "",
    attestation_number: str = "",
    document_valid_from: date,
    document_valid_until: date,
    job_start: date,
    contract_type: str,
    api_token: ApiToken | None = None,
    ip_address: str | None = None,
    today: date | None = None,
) -> CheckRequest:
    """Answer at once when the files are conclusive, else send to the prefecture."""
    today = today or timezone.localdate()
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = list(
        CheckRequest.objects.filter(employer=employer, created_at__gt=hour_ago)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: settings.EMPLOYER_CHECKS_PER_HOUR]
    )
    if len(recent) >= settings.EMPLOYER_CHECKS_PER_HOUR:
        # The index (employer, -created_at) reads at most the limit's rows.
        free_at = recent[-1] + timedelta(hours=1)
        raise TooManyChecks(max(1, int((free_at - timezone.now()).total_seconds())))
    if attestation_number:
        finding = checking.finding_for_attestation(
            attestation_number=attestation_number,
            valid_from=document_valid_from,
            valid_until=document_valid_until,
            job_start=job_start,
        )
    else:
        finding = checking.finding_for_number(
            foreign_number=foreign_number,
            valid_from=document_valid_from,
            valid_until=document_valid_until,
            job_start=job_start,
        )
    check = CheckRequest(
        employer=employer,
        requested_by=by,
        api_token=api_token,
        foreign_number=foreign_number,
        attestation_number=attestation_number,
        document_valid_from=document_valid_from,
        document_valid_until=document_valid_until,
        job_start=job_start,
        contract_type=contract_type,
        holder=finding.holder,
    )
    if finding.conclusive:
        check.status = CheckRequest.Status.ANSWERED
        check.answered_at = timezone.now()
        for name, value in _answer_fields(finding).items():
            setattr(check, name, value)
    else:
        check.status = CheckRequest.Status.WAITING_PREFECTURE
        check.prefecture = finding.prefecture
        check.due_on = working_days_after(today, ANSWER_DAYS)
    with transaction.atomic():
        check.save()
        audit_record(
            action="employer_check.answered" if finding.conclusive else "employer_check.sent",
            actor=by,
            subject=finding.holder,
            ip_address=ip_address,
            data={**_audit_data(check), "via_api": api_token is not None},
        )
        if check.is_answered:
            _pdf_queue(check)
    return check


def check_answer(
    *,
    check: CheckRequest,
    by: User,
    genuine: bool,
    valid_on_start: bool,
    allows_work: bool,
    valid_until: date | None,
    yearly_work_limit_hours: int | None,
) -> CheckRequest:
    """An agent of the competent prefecture answers; the employer is told by e-mail."""
    with transaction.atomic():
        check = (
            CheckRequest.objects.select_for_update(of=("self",))
            .select_related("employer", "holder")
            .get(pk=check.pk)
        )
        if check.is_answered:
            raise EmployerError(_("This check was already answered."))
        if by.prefecture_id is None or by.prefecture_id != check.prefecture_id:
            raise EmployerError(_("Only an agent of the competent prefecture may answer."))
        name, birth = ("", None)
        if genuine:
            name, birth = checking.holder_identity(check)
        check.status = CheckRequest.Status.ANSWERED
        check.genuine = genuine
        check.valid_on_start = valid_on_start if genuine else None
        check.allows_work = allows_work if genuine else None
        check.valid_until = valid_until if genuine else None
        check.yearly_work_limit_hours = (
            yearly_work_limit_hours if genuine and valid_on_start and allows_work else None
        )
        check.holder_name, check.holder_birth_date = name, birth
        check.answered_at = timezone.now()
        check.answered_by = by
        check.save()
        audit_record(
            action="employer_check.answered",
            actor=by,
            subject=check.holder,
            data={**_audit_data(check), "late": timezone.localdate() > check.due_on},
        )
        recipient_user = check.requested_by
        recipient = recipient_user.email if recipient_user else ""
        if not recipient:
            admin = check.employer.members.filter(is_admin=True, user__is_active=True).first()
            recipient = admin.email if admin else ""
            recipient_user = admin.user if admin else None
        if recipient:
            language = language_of(recipient_user)
            with translation.override(language):
                outbox_email(
                    language=language,
                    to=recipient,
                    subject=_("Séjour employers: the prefecture answered your check %(reference)s")
                    % {"reference": check.reference},
                    template="employers/email/answered.txt",
                    context={
                        "check": check,
                        "link": settings.SITE_URL
                        + reverse("employers:check", args=[check.reference]),
                    },
                )
        _pdf_queue(check)
    return check


def check_answer_render(*, check_id: int) -> CheckRequest:
    """Render and keep the signed PDF of an answer (run by the worker; safe twice)."""
    from .pdf import answer_pdf

    check = CheckRequest.objects.select_related("employer").get(pk=check_id)
    if check.pdf or not check.is_answered:
        return check
    check.pdf.save(f"{check.reference}.pdf", ContentFile(answer_pdf(check)), save=False)
    updated = CheckRequest.objects.filter(pk=check.pk, pdf="").update(pdf=check.pdf.name)
    if not updated:
        check.pdf.delete(save=False)  # another worker stored it first
        check.refresh_from_db()
    return check


def check_report(*, check: CheckRequest, by: User, message: str) -> CheckRequest:
    """The holder does not recognise a check: support gets a ticket about it."""
    from sejour.support.models import Ticket
    from sejour.support.services import ticket_create

    if check.reported_at is not None:
        raise EmployerError(_("You have already reported this check."))
    with transaction.atomic():
        locked = CheckRequest.objects.select_for_update(of=("self",)).get(pk=check.pk)
        if locked.reported_at is not None:
            raise EmployerError(_("You have already reported this check."))
        ticket = ticket_create(
            category=Ticket.Category.OTHER,
            message=_(
                "I do not recognise the check %(reference)s made by %(company)s "
                "(SIRET %(siret)s) on %(date)s.\n\n%(message)s"
            )
            % {
                "reference": locked.reference,
                "company": check.employer.name,
                "siret": check.employer.siret,
                "date": timezone.localtime(locked.created_at).strftime("%d/%m/%Y %H:%M"),
                "message": message,
            },
            email=by.email,
            name=by.full_name,
            page_url=reverse("employers:holder_checks"),
            happened_at=timezone.localtime(locked.created_at).isoformat(timespec="minutes"),
            screenshots=[],
            user=by,
        )
        locked.reported_at = timezone.now()
        locked.ticket = ticket
        locked.save(update_fields=["reported_at", "ticket"])
        audit_record(
            action="employer_check.reported",
            actor=by,
            subject=by,
            data={"reference": locked.reference, "ticket": ticket.reference},
        )
    return locked


def checks_purge(*, now=None) -> int:
    """Forget checks older than the legal period (`EMPLOYER_CHECK_RETENTION_DAYS`)."""
    horizon = (now or timezone.now()) - timedelta(days=settings.EMPLOYER_CHECK_RETENTION_DAYS)
    count = 0
    old = CheckRequest.objects.filter(created_at__lt=horizon).order_by("id")
    while batch := list(old.only("id", "pdf", "reference")[:500]):
        with transaction.atomic():
            CheckRequest.objects.filter(pk__in=[check.pk for check in batch]).delete()
            audit_record(
                action="employer_check.purged",
                data={"count": len(batch), "before": horizon.date().isoformat()},
            )
        for check in batch:
            if check.pdf:
                check.pdf.delete(save=False)
        count += len(batch)
    return count


def employers_counters_prune(*, now=None) -> int:
    """Forget API counters of past minutes and e-mailed links a week after they expired."""
    now = now or timezone.now()
    counters, _by_model = ApiUsage.objects.filter(minute__lt=now - timedelta(hours=1)).delete()
    links, _by_model = EmployerLink.objects.filter(expires_at__lt=now - timedelta(days=7)).delete()
    return counters + links
