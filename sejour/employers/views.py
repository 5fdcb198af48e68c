"""The employers' space, the agents' answers to checks, the holder's list, and the
public verification of an answer. Views parse, call one service, render."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from sejour.accounts import throttle
from sejour.accounts.models import Attempt, User
from sejour.accounts.services import (
    login_blocked_until,
    login_failure_record,
    login_success_record,
)
from sejour.core.errors import mark_rate_limited
from sejour.core.http import download_filename, posted
from sejour.core.storage import stored_file_response

from . import selectors, services
from .forms import (
    AccountForm,
    AnswerForm,
    CheckForm,
    InviteForm,
    LoginForm,
    ReportForm,
    SignupForm,
    TokenForm,
)
from .models import ApiToken, EmployerLink, EmployerMember

AGENT_ROLES = (User.Role.AGENT, User.Role.SUPERVISOR)


def employer_required(view):
    """Users of an employer's space; anyone else logged in gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("employers:login"))
        member = selectors.member_for(request.user)
        if member is None:
            raise PermissionDenied
        request.member = member
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view):
    @wraps(view)
    @employer_required
    def wrapper(request, *args, **kwargs):
        if not request.member.is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _apply_error(form, error: services.EmployerError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _over_limit(request, form, *, kind: str, limit: int) -> bool:
    until = throttle.rate_limited(
        kind=kind, key=f"ip:{throttle.client_address(request)}", limit=limit
    )
    if until is not None:
        form.add_error(
            None,
            _("Too many attempts. Please try again after %(time)s.")
            % {"time": date_format(timezone.localtime(until), "H:i")},
        )
        mark_rate_limited(request, until)
        return True
    return False


# --- Public pages and accounts ------------------------------------------------------


def landing(request):
    return render(request, "employers/landing.html")


def signup(request):
    form = SignupForm(posted(request))
    limit = settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS
    if request.method == "POST" and form.is_valid():  # noqa: SIM102 - count valid posts only
        if not _over_limit(request, form, kind=Attempt.Kind.SIGNUP, limit=limit):
            try:
                services.employer_signup_start(**form.cleaned_data)
            except services.EmployerError as error:
                _apply_error(form, error)
            else:
                request.session["employer_link_sent_to"] = form.cleaned_data["email"]
                return redirect("employers:link_sent")
    return render(request, "employers/signup.html", {"form": form})


def link_sent(request):
    return render(
        request, "employers/link_sent.html", {"email": request.session.get("employer_link_sent_to")}
    )


def link(request, token):
    """Opening the link changes nothing (mail scanners open links): the form does."""
    row = EmployerLink.for_token(token)
    usable = row is not None and row.used_at is None and not row.is_expired
    form = AccountForm(posted(request) if usable else None)
    if usable and request.method == "POST" and form.is_valid():
        try:
            user = services.employer_link_complete(
                token=token,
                first_names=form.cleaned_data["first_names"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["new_password"],
            )
        except services.EmployerError as error:
            _apply_error(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your employer's account is ready."))
            return redirect("employers:space")
    return render(
        request,
        "employers/link.html",
        {"form": form, "link": row, "usable": usable},
        status=200 if usable else 410,
    )


def employer_login(request):
    form = LoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip_address = throttle.client_address(request)
        key = f"employer:{email}"
        until = login_blocked_until(identifier=key, ip_address=ip_address)
        if until is None:
            member = (
                EmployerMember.objects.select_related("user")
                .filter(email=email, user__is_active=True)
                .first()
            )
            if member is not None and member.user.check_password(form.cleaned_data["password"]):
                login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
                login_success_record(user=member.user, ip_address=ip_address, key=key)
                return redirect("employers:space")
            until = login_failure_record(identifier=key, ip_address=ip_address)
            if until is None:
                form.add_error(
                    None,
                    _(
                        "The e-mail address or the password is wrong. After %(count)d failed "
                        "attempts, logging in is blocked for %(minutes)d minutes."
                    )
                    % {
                        "count": settings.LOGIN_FAILURES_PER_IDENTIFIER,
                        "minutes": settings.LOGIN_LOCKOUT_SECONDS // 60,
                    },
                )
        if until is not None:
            form.add_error(
                None,
                _("Too many failed attempts. Logging in is blocked until %(time)s.")
                % {"time": date_format(timezone.localtime(until), "H:i")},
            )
    return render(request, "employers/login.html", {"form": form})


@require_POST
def employer_logout(request):
    logout(request)
    return redirect("employers:landing")


# --- The employer's space -----------------------------------------------------------


@employer_required
def space(request):
    before = None
    after = request.GET.get("avant", "")
    if "_" in after:
        stamp, _sep, pk = after.rpartition("_")
        moment = parse_datetime(stamp)
        if moment is not None and pk.isdigit():
            before = (moment, int(pk))
    checks = selectors.checks_for_employer(employer=request.member.employer, before=before)
    more = None
    if len(checks) == 25:
        last = checks[-1]
        more = f"{last.created_at.isoformat()}_{last.pk}"
    return render(
        request,
        "employers/space.html",
        {"member": request.member, "checks": checks, "more": more},
    )


@employer_required
def check_new(request):
    form = CheckForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            check = services.check_request_create(
                employer=request.member.employer,
                by=request.user,
                ip_address=throttle.client_address(request),
                **form.cleaned_data,
            )
        except services.TooManyChecks as error:
            form.add_error(
                None,
                _(
                    "Your company has asked for %(count)d checks in the last hour, the most "
                    "allowed. Try again in %(minutes)d minutes; what you typed is kept."
                )
                % {
                    "count": settings.EMPLOYER_CHECKS_PER_HOUR,
                    "minutes": max(1, error.retry_after // 60),
                },
            )
        else:
            return redirect("employers:check", reference=check.reference)
    return render(request, "employers/check_new.html", {"form": form})


@employer_required
def check_view(request, reference):
    check = selectors.check_for_employer(employer=request.member.employer, reference=reference)
    return render(request, "employers/check.html", {"check": check})


@employer_required
def check_pdf(request, reference):
    check = selectors.check_for_employer(employer=request.member.employer, reference=reference)
    if not check.pdf:
        raise Http404
    return stored_file_response(
        request,
        check.pdf,
        content_type="application/pdf",
        filename=download_filename(
            check.reference, pgettext("file name", "check-answer"), extension="pdf"
        ),
    )


@admin_required
def team(request):
    form = InviteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.employer_invite(
                employer=request.member.employer, email=form.cleaned_data["email"], by=request.user
            )
        except services.EmployerError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("employers:team")
    members = request.member.employer.members.select_related("user").order_by("email")
    return render(request, "employers/team.html", {"form": form, "members": members})


@admin_required
@require_POST
def member_remove(request, pk):
    member = get_object_or_404(request.member.employer.members, pk=pk)
    try:
        services.employer_member_remove(member=member, by=request.user)
    except services.EmployerError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(email)s can no longer log in.") % {"email": member.email})
    return redirect("employers:team")


@admin_required
def tokens(request):
    form = TokenForm(posted(request))
    created = None
    if request.method == "POST" and form.is_valid():
        _token, created = services.api_token_create(
            employer=request.member.employer,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            by=request.user,
        )
        form = TokenForm()
    rows = ApiToken.objects.filter(employer=request.member.employer).order_by("-created_at")
    response = render(
        request,
        "employers/tokens.html",
        {"form": form, "tokens": rows, "created": created, "siret": request.member.employer.siret},
    )
    response["Cache-Control"] = "no-store"  # the new token is shown once
    return response


@admin_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, employer=request.member.employer, pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("employers:tokens")


# --- Public verification of an answer -------------------------------------------------


def verify(request, token):
    result = selectors.answer_verify(token=token[:2000])
    response = render(request, "employers/verify.html", {"result": result})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- The prefecture's agents --------------------------------------------------------


def agent_required(view):
    from sejour.instruction.views import agent_required as instruction_agent_required

    return instruction_agent_required(view)


@agent_required
def agent_queue(request):
    checks = selectors.checks_waiting_for_prefecture(prefecture_id=request.user.prefecture_id)
    return render(
        request,
        "employers/agent_queue.html",
        {"checks": checks, "today": timezone.localdate()},
    )


@agent_required
def agent_check(request, reference):
    check = selectors.check_for_agent(user=request.user, reference=reference)
    form = AnswerForm(posted(request))
    if request.method == "POST" and not check.is_answered and form.is_valid():
        data = form.cleaned_data
        try:
            services.check_answer(
                check=check,
                by=request.user,
                genuine=data["genuine"] == "yes",
                valid_on_start=data.get("valid_on_start") == "yes",
                allows_work=data.get("allows_work") == "yes",
                valid_until=data.get("valid_until"),
                yearly_work_limit_hours=(
                    services.checking.STUDENT_YEARLY_WORK_HOURS
                    if data.get("student_limit")
                    else None
                ),
            )
        except services.EmployerError as error:
            _apply_error(form, error)
        else:
            messages.success(request, _("Your answer is sent to the employer."))
            return redirect("employers:agent_queue")
    return render(
        request,
        "employers/agent_check.html",
        {"check": check, "form": form, "today": timezone.localdate()},
    )


# --- The holder -----------------------------------------------------------------------


def _holder(request):
    if not request.user.is_applicant:
        raise PermissionDenied
    return request.user


@login_required
def holder_checks(request):
    user = _holder(request)
    return render(
        request,
        "employers/holder_checks.html",
        {"checks": selectors.checks_for_holder(user=user), "form": ReportForm()},
    )


@login_required
def holder_report(request, reference):
    user = _holder(request)
    check = selectors.check_for_holder(user=user, reference=reference)
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.check_report(
                check=check, by=user, message=form.cleaned_data["message"]
            )
        except services.EmployerError as error:
            _apply_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Support has your report (ticket %(ticket)s) "
                    "and will answer you by e-mail."
                )
                % {"ticket": updated.ticket.reference},
            )
            return redirect("employers:holder_checks")
    return render(request, "employers/holder_report.html", {"check": check, "form": form})
