"""The staff doors: the agents' login and the admin's, one check for both.

Both ask for the identifier, the password and the code from the authenticator
app at once, and give one answer for any failure: a right password with a
wrong or missing code reads exactly like a wrong password, and no device is
named. Failures are counted under the same key at both doors
(`agent:<identifier>`, plus the client address), so the lockout of one holds
at the other.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm, AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.views import PasswordChangeView
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts import services as account_services
from sejour.accounts import throttle
from sejour.accounts.models import User


@dataclass(frozen=True)
class DoorAnswer:
    user: User | None = None
    device: TOTPDevice | None = None
    blocked_until: datetime | None = None

    @property
    def message(self) -> str:
        """The one thing a person is told when they are not let in."""
        if self.blocked_until is not None:
            return gettext("Too many failed attempts. Logging in is blocked until %(time)s.") % {
                "time": date_format(localtime(self.blocked_until), "H:i")
            }
        return gettext("The identifier, the password or the code is wrong.")


def staff_door_check(
    *, request, identifier: str, password: str, code: str, may_enter: Callable[[User], bool]
) -> DoorAnswer:
    """Check password and second factor together, counting every failure.

    `may_enter` says which accounts this door admits; anyone else fails like
    a wrong password. The caller logs the user in when `user` is set.
    """
    identifier = identifier.strip()
    ip_address = throttle.client_address(request)
    key = f"{account_services.STAFF_KEY_PREFIX}{identifier}"
    until = account_services.login_blocked_until(identifier=key, ip_address=ip_address)
    if until is not None:
        # Locked: the password is not even checked, so a right guess cannot show.
        return DoorAnswer(blocked_until=until)
    user = authenticate(request, identifier=identifier, password=password)
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if user is not None and user.is_active and may_enter(user)
        else None
    )
    if device is not None and device.verify_token(code or ""):
        account_services.login_success_record(user=user, ip_address=ip_address, key=key)
        return DoorAnswer(user=user, device=device)
    until = account_services.login_failure_record(identifier=key, ip_address=ip_address)
    return DoorAnswer(blocked_until=until)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's door: the agents' check, not django-otp's two-step form.

    django-otp's form answered "enter your OTP token" to a right password
    without a code, listed the account's devices, and counted nothing.
    """

    # Not required: a missing code is one more failure, counted and answered like the others.
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean(self):
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not identifier or not password or "otp_token" not in self.cleaned_data:
            return self.cleaned_data  # a missing field: its own message, nothing checked
        answer = staff_door_check(
            request=self.request,
            identifier=identifier,
            password=password,
            code=self.cleaned_data["otp_token"],
            may_enter=lambda user: user.is_staff,
        )
        if answer.user is None:
            raise forms.ValidationError(answer.message, code="invalid_login")
        # django-otp marks the session verified with this device when the login happens.
        answer.user.otp_device = answer.device
        self.user_cache = answer.user
        return self.cleaned_data


class CountedAdminPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's password change: wrong current passwords count like failed logins."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        key = account_services.login_key(self.user)
        ip_address = throttle.client_address(self.request)
        until = account_services.login_blocked_until(identifier=key, ip_address=ip_address)
        if until is None:
            try:
                return super().clean_old_password()
            except forms.ValidationError:
                until = account_services.login_failure_record(identifier=key, ip_address=ip_address)
                if until is None:
                    raise
        raise forms.ValidationError(DoorAnswer(blocked_until=until).message, code="blocked")


class _CountedPasswordChangeView(PasswordChangeView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class StaffAdminSite(OTPAdminSite):
    """Django's admin, open only to staff verified with their second factor."""

    login_form = AdminLoginForm
    login_template = "instruction/admin_login.html"

    def password_change(self, request, extra_context=None):
        # Django's own view, with a form that counts wrong current passwords.
        request.current_app = self.name
        return _CountedPasswordChangeView.as_view(
            form_class=CountedAdminPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)
