import re

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

FOREIGN_NUMBER_RE = re.compile(r"^\d{9,10}$")
VISA_NUMBER_RE = re.compile(r"^\d{9}$")


def digits_only(value: str) -> str:
    """People copy numbers with spaces or dashes: keep the digits' order, drop the rest."""
    return re.sub(r"[\s.\-]", "", value or "")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ForeignNumberField(forms.CharField):
    default_error_messages = {
        "invalid": _(
            "A foreign-national number has 10 digits (9 on older cards), with no letters."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Foreign-national number"))
        kwargs.setdefault(
            "help_text",
            _("10 digits (9 on older cards). On a VLS-TS confirmation it is the “Référence”."),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "username"})

    def clean(self, value):
        value = digits_only(super().clean(value))
        if value and not FOREIGN_NUMBER_RE.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class ValidityDatesMixin:
    """Start and end of validity, as printed on the document."""

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_until = cleaned.get("valid_from"), cleaned.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error(
                "valid_until",
                _("The end of validity must be after the start of validity."),
            )
        return cleaned


def validity_fields():
    return (
        forms.DateField(
            label=_("Start of validity"),
            help_text=_("As printed on the document, e.g. 2025-09-01."),
            widget=DateInput(),
        ),
        forms.DateField(
            label=_("End of validity"),
            help_text=_("As printed on the document, e.g. 2026-08-31."),
            widget=DateInput(),
        ),
    )


class ResidenceDocumentForm(ValidityDatesMixin, DsfrBaseForm):
    foreign_number = ForeignNumberField()
    valid_from, valid_until = validity_fields()


class VisaForm(ValidityDatesMixin, DsfrBaseForm):
    visa_number = forms.CharField(
        label=_("Visa number"),
        help_text=_("9 digits, printed at the top right of the visa sticker."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    valid_from, valid_until = validity_fields()

    def clean_visa_number(self):
        value = digits_only(self.cleaned_data["visa_number"])
        if not VISA_NUMBER_RE.match(value):
            raise forms.ValidationError(
                _("A visa number has 9 digits, with no letters."), code="invalid"
            )
        return value


class EmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We will send a link to this address to check it is yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirm = forms.EmailField(
        label=_("E-mail address again"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean(self):
        cleaned = super().clean()
        email, confirm = cleaned.get("email"), cleaned.get("email_confirm")
        if email and confirm and email.lower() != confirm.lower():
            self.add_error("email_confirm", _("The two e-mail addresses are different."))
        return cleaned


def password_help_text() -> str:
    return _(
        "At least %(length)d characters. A long sentence you can remember is best; "
        "no special characters are required."
    ) % {"length": settings.PASSWORD_MIN_LENGTH}


class NewPasswordForm(DsfrBaseForm):
    """Choose a password: length first, no arbitrary composition rules."""

    new_password = forms.CharField(
        label=_("New password"),
        help_text=lazy(password_help_text, str)(),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_confirm = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password(self):
        password = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if first and second and first != second:
            self.add_error("new_password_confirm", _("The two passwords are different."))
        return cleaned


class PasswordChangeForm(NewPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        help_text=_("If you have just received a temporary password, type it here."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current_password", "new_password", "new_password_confirm"]

    def __init__(self, *args, blocked_until=None, **kwargs):
        # While the account is locked the current password is not even checked: no answer
        # may tell a right guess from a wrong one.
        self.blocked_until = blocked_until
        super().__init__(*args, **kwargs)

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if self.blocked_until is not None:
            raise forms.ValidationError(
                _(
                    "Too many wrong passwords. Changing the password is blocked until %(time)s. "
                    "You can choose a new password with “Forgotten password” meanwhile."
                )
                % {"time": date_format(localtime(self.blocked_until), "H:i")},
                code="blocked",
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."), code="wrong")
        return password

    def clean_new_password(self):
        password = super().clean_new_password()
        # Compared only once the current password is proven: else this answer would let
        # anyone holding the session test guesses of the current password.
        if "current_password" in self.cleaned_data and self.user.check_password(password):
            raise forms.ValidationError(
                _("Choose a password different from the current one."), code="same"
            )
        return password


class LoginForm(DsfrBaseForm):
    identifier = ForeignNumberField(
        help_text=_("Your foreign-national number: 10 digits (9 on older cards).")
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class IdentifierForm(DsfrBaseForm):
    identifier = ForeignNumberField()


class VisaLoginForm(DsfrBaseForm):
    visa_number = VisaForm.base_fields["visa_number"]

    clean_visa_number = VisaForm.clean_visa_number
