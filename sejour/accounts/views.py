"""Applicant accounts: sign-up (permit/receipt/VLS-TS or visa), login, passwords, help."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from sejour.attention.providers import AttentionContext
from sejour.attention.selectors import attention_list
from sejour.core.errors import mark_rate_limited
from sejour.core.http import content_disposition, download_filename, posted
from sejour.registry.adapter import get_registry

from . import services, throttle
from .forms import (
    EmailForm,
    IdentifierForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ResidenceDocumentForm,
    VisaForm,
    VisaLoginForm,
)
from .languages import language_supported
from .models import Attempt, EmailVerification, User

SIGNUP_SESSION_KEY = "signup"
INELIGIBLE_SESSION_KEY = "ineligible_prefecture"


def _until_message(until) -> str:
    return _("Too many attempts. Please try again after %(time)s.") % {
        "time": date_format(localtime(until), "H:i")
    }


def _over_limit(request, form, *, kind: str, target: str, target_limit: int, limit: int) -> bool:
    """Count this request for its target (number, e-mail), then for the client's address
    (or partner network); add an error to the form if either limit is reached."""
    until = throttle.limits_check(
        kind=kind,
        target=target,
        target_limit=target_limit,
        address=throttle.client_address(request),
        address_limit=limit,
    )
    if until is not None:
        form.add_error(None, _until_message(until))
        mark_rate_limited(request, until)
        return True
    return False


# --- Sign-up -----------------------------------------------------------------


def signup_start(request):
    """Which document do you have? Each answer leads to its own path."""
    return render(request, "accounts/signup_start.html")


def _ineligible(request, document):
    prefecture = get_registry().prefecture_for_postcode(document.person.postcode)
    request.session[INELIGIBLE_SESSION_KEY] = (
        {"name": prefecture.name, "website": prefecture.website} if prefecture else None
    )
    return redirect("accounts:ineligible")


def signup_residence(request):
    """Step 1 with a permit, a receipt or a validated VLS-TS."""
    form = ResidenceDocumentForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _over_limit(
            request,
            form,
            kind=Attempt.Kind.SIGNUP,
            target=form.cleaned_data["foreign_number"],
            target_limit=settings.RATE_LIMIT_SIGNUPS_PER_TARGET,
            limit=settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS,
        )
    ):
        document = get_registry().find_residence_document(**form.cleaned_data)
        if document is None:
            form.add_error(
                None,
                _(
                    "We found no document with this number and these dates. Check them "
                    "against your permit, receipt or VLS-TS confirmation."
                ),
            )
        elif not document.opens_account:
            return _ineligible(request, document)
        elif User.objects.filter(identifier=document.person.foreign_number).exists():
            form.add_error(
                "foreign_number",
                format_html(
                    _(
                        "An account already exists for this number. "
                        '<a href="{login}">Log in</a>, or choose '
                        '<a href="{reset}">“Forgotten password”</a> '
                        "if you no longer know your password."
                    ),
                    login=reverse("accounts:login"),
                    reset=reverse("accounts:password_reset"),
                ),
            )
        else:
            request.session[SIGNUP_SESSION_KEY] = {
                "path": EmailVerification.Path.RESIDENCE,
                "foreign_number": document.person.foreign_number,
                "visa_number": "",
                "first_names": document.person.first_names,
                "last_name": document.person.last_name,
            }
            return redirect("accounts:signup_email")
    return render(request, "accounts/signup_residence.html", {"form": form, "step": 1, "steps": 3})


def signup_visa(request):
    """Step 1 with a long-stay visa "titre à solliciter"."""
    form = VisaForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _over_limit(
            request,
            form,
            kind=Attempt.Kind.SIGNUP,
            target=form.cleaned_data["visa_number"],
            target_limit=settings.RATE_LIMIT_SIGNUPS_PER_TARGET,
            limit=settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS,
        )
    ):
        document = get_registry().find_visa(**form.cleaned_data)
        if document is None:
            form.add_error(
                None,
                _(
                    "We found no visa with this number and these dates. Check them "
                    "against the sticker in your passport."
                ),
            )
        elif not document.opens_account:
            return _ineligible(request, document)
        elif User.objects.filter(visa_number=document.number).exists():
            form.add_error(
                "visa_number",
                format_html(
                    _(
                        "An account already exists for this visa. "
                        '<a href="{login}">Log in with your visa number</a>.'
                    ),
                    login=reverse("accounts:visa_login"),
                ),
            )
        else:
            request.session[SIGNUP_SESSION_KEY] = {
                "path": EmailVerification.Path.VISA,
                "foreign_number": "",
                "visa_number": document.number,
                "first_names": document.person.first_names,
                "last_name": document.person.last_name,
            }
            return redirect("accounts:signup_email")
    return render(request, "accounts/signup_visa.html", {"form": form, "step": 1, "steps": 2})


def signup_email(request):
    """Step 2: the e-mail address, checked by a link."""
    signup = request.session.get(SIGNUP_SESSION_KEY)
    if not signup:
        messages.info(request, _("Please start by giving the details of your document."))
        return redirect("accounts:signup_start")
    form = EmailForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _over_limit(
            request,
            form,
            kind=Attempt.Kind.VERIFICATION,
            target=form.cleaned_data["email"],
            target_limit=settings.RATE_LIMIT_VERIFICATIONS_PER_TARGET,
            limit=settings.RATE_LIMIT_VERIFICATIONS_PER_ADDRESS,
        )
    ):
        services.signup_verification_send(email=form.cleaned_data["email"], **signup)
        del request.session[SIGNUP_SESSION_KEY]
        request.session["signup_email_sent_to"] = form.cleaned_data["email"]
        return redirect("accounts:signup_email_sent")
    steps = 3 if signup["path"] == EmailVerification.Path.RESIDENCE else 2
    return render(request, "accounts/signup_email.html", {"form": form, "step": 2, "steps": steps})


def signup_email_sent(request):
    return render(
        request,
        "accounts/signup_email_sent.html",
        {
            "email": request.session.get("signup_email_sent_to", ""),
            "hours": settings.ACCOUNT_EMAIL_LINK_MAX_AGE // 3600,
        },
    )


def ineligible(request):
    return render(
        request,
        "accounts/ineligible.html",
        {"prefecture": request.session.get(INELIGIBLE_SESSION_KEY)},
    )


def verify(request, token):
    """The link from the e-mail. Nothing changes on GET: mail scanners open links too."""
    verification = EmailVerification.for_token(token)
    problem = None
    if verification is None or verification.path == EmailVerification.Path.VISA_LOGIN:
        problem = _("This link is not valid. Check that you copied it whole, or start again.")
    elif verification.used_at is not None:
        problem = _("This link has already been used. You can log in.")
    elif verification.is_expired:
        problem = _("This link has expired. Please start again.")
    if problem:
        return render(request, "accounts/verify_problem.html", {"problem": problem}, status=400)

    ip_address = throttle.client_address(request)
    if verification.path == EmailVerification.Path.VISA:
        if request.method == "POST":
            try:
                user = services.account_create_provisional(
                    verification=verification, ip_address=ip_address
                )
            except services.AccountError as error:
                return render(
                    request, "accounts/verify_problem.html", {"problem": str(error)}, status=400
                )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your e-mail address is confirmed."))
            return redirect("accounts:home")
        return render(request, "accounts/verify_visa.html", {"verification": verification})

    form = NewPasswordForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create_from_residence(
                verification=verification,
                password=form.cleaned_data["new_password"],
                ip_address=ip_address,
            )
        except services.AccountError as error:
            return render(
                request, "accounts/verify_problem.html", {"problem": str(error)}, status=400
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is created. Welcome to Séjour."))
        return redirect("accounts:home")
    return render(
        request,
        "accounts/verify_password.html",
        {"form": form, "verification": verification, "step": 3, "steps": 3},
    )


# --- Language ------------------------------------------------------------------


def language_switch(request):
    """Django's set_language (cookie, back to the same page, no JavaScript), and for a
    logged-in person the choice kept on their account: their messages follow it."""
    response = set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    # A support agent filing for someone changes their own page, not the person's choice.
    if (
        request.user.is_authenticated
        and not request.session.get("assisted_by")
        and settings.LANGUAGE_COOKIE_NAME in response.cookies
        and language_supported(language)
    ):
        services.account_language_set(user=request.user, language=language, by=request.user)
    return response


# --- Login and logout ----------------------------------------------------------


def login_view(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = LoginForm(posted(request))
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        ip_address = throttle.client_address(request)
        until = services.login_blocked_until(identifier=identifier, ip_address=ip_address)
        if until is None:
            user = authenticate(
                request, identifier=identifier, password=form.cleaned_data["password"]
            )
            # Staff log in through their own door, with a second factor.
            if user is not None and user.is_applicant:
                login(request, user)
                services.login_success_record(user=user, ip_address=ip_address)
                return redirect(_safe_next(request) or "accounts:home")
            until = services.login_failure_record(identifier=identifier, ip_address=ip_address)
            if until is None:
                form.add_error(
                    None,
                    _(
                        "The number or the password is wrong. After %(count)d failed "
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
                _(
                    "Too many failed attempts. Logging in is blocked until %(time)s. "
                    "You can choose a new password with “Forgotten password” meanwhile."
                )
                % {"time": date_format(localtime(until), "H:i")},
            )
    return render(request, "accounts/login.html", {"form": form})


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_POST
def logout_view(request):
    from sejour.applications.pending import returning_forget

    user = request.user if request.user.is_authenticated else None  # read before it goes
    logout(request)
    messages.info(request, _("You are logged out."))
    response = redirect("core:home")
    returning_forget(response, user=user)  # logged out on purpose: nothing to keep for later
    return response


def visa_login(request):
    """Visa holders with provisional access sign in with a link sent by e-mail."""
    form = VisaLoginForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _over_limit(
            request,
            form,
            kind=Attempt.Kind.RESET,
            target=form.cleaned_data["visa_number"],
            target_limit=settings.RATE_LIMIT_RESETS_PER_TARGET,
            limit=settings.RATE_LIMIT_RESETS_PER_ADDRESS,
        )
    ):
        services.visa_login_link_send(visa_number=form.cleaned_data["visa_number"])
        return render(request, "accounts/link_sent.html", {"kind": "visa_login"})
    return render(request, "accounts/visa_login.html", {"form": form})


def visa_login_confirm(request, token):
    verification = EmailVerification.for_token(token)
    if (
        verification is None
        or verification.path != EmailVerification.Path.VISA_LOGIN
        or verification.used_at is not None
        or verification.is_expired
    ):
        return render(
            request,
            "accounts/verify_problem.html",
            {"problem": _("This sign-in link is not valid any more. Ask for a new one.")},
            status=400,
        )
    if request.method == "POST":
        try:
            user = services.visa_login_consume(verification=verification)
        except services.AccountError as error:
            return render(
                request, "accounts/verify_problem.html", {"problem": str(error)}, status=400
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:home")
    return render(request, "accounts/visa_login_confirm.html")


# --- Passwords -----------------------------------------------------------------


def password_reset(request):
    form = IdentifierForm(posted(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and not _over_limit(
            request,
            form,
            kind=Attempt.Kind.RESET,
            target=form.cleaned_data["identifier"],
            target_limit=settings.RATE_LIMIT_RESETS_PER_TARGET,
            limit=settings.RATE_LIMIT_RESETS_PER_ADDRESS,
        )
    ):
        identifier = form.cleaned_data["identifier"]
        # A few e-mails per identifier at most, silently: no one floods a mailbox.
        if throttle.rate_limited(kind=Attempt.Kind.RESET, key=f"id:{identifier}", limit=3) is None:
            services.password_reset_send(identifier=identifier)
        return render(request, "accounts/link_sent.html", {"kind": "password_reset"})
    return render(request, "accounts/password_reset.html", {"form": form})


def _user_for_reset_link(uidb64: str, token: str) -> User | None:
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    return user if default_token_generator.check_token(user, token) else None


def password_reset_confirm(request, uidb64, token):
    user = _user_for_reset_link(uidb64, token)
    if user is None:
        return render(
            request,
            "accounts/verify_problem.html",
            {
                "problem": _(
                    "This link is not valid any more: it has been used or has expired. "
                    "Ask for a new one."
                )
            },
            status=400,
        )
    form = NewPasswordForm(posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        services.password_reset_complete(
            user=user,
            new_password=form.cleaned_data["new_password"],
            ip_address=throttle.client_address(request),
        )
        messages.success(request, _("Your password is changed. You can log in."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


def welcome_password(request, uidb64, token):
    """The first password of an account a support agent opened with the person."""
    from .tokens import welcome_token_generator

    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not welcome_token_generator.check_token(user, token):
        return render(
            request,
            "accounts/verify_problem.html",
            {
                "problem": _(
                    "This link is not valid any more: a password has already been chosen with "
                    "it, or it has expired. Ask for a new password with your number."
                )
            },
            status=400,
        )
    form = NewPasswordForm(posted(request), user=user)
    if request.method == "POST" and form.is_valid():
        services.password_reset_complete(
            user=user,
            new_password=form.cleaned_data["new_password"],
            ip_address=throttle.client_address(request),
        )
        messages.success(request, _("Your password is chosen. You can log in."))
        return redirect("accounts:login")
    return render(request, "accounts/welcome_password.html", {"form": form})


@login_required
def password_change(request):
    if request.user.is_provisional or getattr(request, "assisted_by", None):
        raise Http404
    ip_address = throttle.client_address(request)
    # Guessing the current password here counts like a failed login, under the same key:
    # a stolen session must not become a way round the lockout.
    key = services.login_key(request.user)
    until = (
        services.login_blocked_until(identifier=key, ip_address=ip_address)
        if request.method == "POST"
        else None
    )
    form = PasswordChangeForm(posted(request), user=request.user, blocked_until=until)
    if request.method == "POST" and form.is_valid():
        services.password_change(
            user=request.user, new_password=form.cleaned_data["new_password"], ip_address=ip_address
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password is changed."))
        return redirect("accounts:home")
    if until is None and form.has_error("current_password", "wrong"):
        until = services.login_failure_record(identifier=key, ip_address=ip_address)
        if until is not None:
            form = PasswordChangeForm(posted(request), user=request.user, blocked_until=until)
            form.is_valid()
    return render(request, "accounts/password_change.html", {"form": form})


# --- The applicant's space -------------------------------------------------------

SPACE_OF_ROLE = {
    User.Role.EMPLOYER: "employers:space",
    User.Role.AGENT: "instruction:queue",
    User.Role.SUPERVISOR: "instruction:queue",
    User.Role.SUPPORT: "support:tickets",
    User.Role.ADMIN: "admin:index",
}


@login_required
def home(request):
    user = request.user
    if not user.is_applicant:
        # "Mon espace" is an applicant's: staff and employers are sent to their own space
        # (a staff identifier is not a foreign-national number).
        return redirect(SPACE_OF_ROLE.get(user.role, "core:home"))
    # What needs the person comes first; the document it reads is the one shown below.
    context = AttentionContext(user=user, today=timezone.localdate())
    return render(
        request,
        "accounts/home.html",
        {
            "document": context.document if user.identifier else None,
            "attention": attention_list(user=user, today=context.today, context=context),
            "show_attention": True,
        },
    )


@login_required
def my_data(request):
    """Download everything held about me: a JSON file and my documents, in one archive."""
    from django.http import FileResponse

    from .export import personal_data_archive

    if not request.user.is_applicant or getattr(request, "assisted_by", None):
        raise Http404  # a support agent filing on someone's behalf does not take their data away
    archive = personal_data_archive(request.user)
    # Streamed from its temporary file, which the response closes (and so deletes).
    response = FileResponse(archive, content_type="application/zip", as_attachment=True)
    response["Content-Disposition"] = content_disposition(
        download_filename(pgettext("file name", "my-Séjour-data"), extension="zip")
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Help ----------------------------------------------------------------------------


def help_existing_account(request):
    return render(request, "accounts/help_existing_account.html")


def help_where_is_my_number(request):
    return render(request, "accounts/help_where_is_my_number.html")
