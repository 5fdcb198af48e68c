import re

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import DateInput, ForeignNumberField, NewPasswordForm

from .models import ApiToken, ContractType
from .siret import siret_normalise, siret_valid

ATTESTATION_NUMBER_RE = re.compile(r"^AT-[A-Z0-9]{10}$")


class SiretField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SIRET of the establishment"))
        kwargs.setdefault(
            "help_text",
            _("14 digits, on your Kbis extract or your payslips, e.g. 732 829 320 00074."),
        )
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean(self, value):
        value = siret_normalise(super().clean(value))
        if not re.fullmatch(r"\d{14}", value):
            raise forms.ValidationError(_("A SIRET has 14 digits, with no letters."), code="format")
        if not siret_valid(value):
            raise forms.ValidationError(
                _("This SIRET is not valid: one digit is wrong (its last digit is a checksum)."),
                code="checksum",
            )
        return value


def work_email_field():
    return forms.EmailField(
        label=_("Work e-mail address"),
        help_text=_("We send a link to it; it is also how you log in."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SignupForm(DsfrBaseForm):
    siret = SiretField()
    email = work_email_field()

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class InviteForm(DsfrBaseForm):
    email = forms.EmailField(label=_("Your colleague's work e-mail address"), max_length=254)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AccountForm(NewPasswordForm):
    first_names = forms.CharField(label=_("First names"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    field_order = ["first_names", "last_name", "new_password", "new_password_confirm"]


class LoginForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("Work e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class CheckForm(DsfrBaseForm):
    """The same rules for the web form and the API (the API feeds this form)."""

    foreign_number = ForeignNumberField(
        required=False,
        help_text=_("10 digits (9 on older cards), printed on the permit or the receipt."),
    )
    attestation_number = forms.CharField(
        label=_("Or the attestation number (ADP, ADF)"),
        help_text=_("Printed on the attestation, e.g. AT-ABCD234567."),
        required=False,
        max_length=20,
    )
    document_valid_from = forms.DateField(
        label=_("Start of validity of the document"), widget=DateInput()
    )
    document_valid_until = forms.DateField(
        label=_("End of validity of the document"), widget=DateInput()
    )
    job_start = forms.DateField(label=_("Job start date"), widget=DateInput())
    contract_type = forms.ChoiceField(label=_("Contract"), choices=ContractType.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["foreign_number"].widget.attrs["autocomplete"] = "off"

    def clean_attestation_number(self):
        value = re.sub(r"\s", "", self.cleaned_data["attestation_number"]).upper()
        if value and not value.startswith("AT-"):
            value = "AT-" + value.removeprefix("AT")
        if value and not ATTESTATION_NUMBER_RE.match(value):
            raise forms.ValidationError(
                _("An attestation number is “AT-” followed by 10 letters and digits."),
                code="format",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        number, attestation = cleaned.get("foreign_number"), cleaned.get("attestation_number")
        if "foreign_number" in cleaned and "attestation_number" in cleaned:
            if not number and not attestation:
                self.add_error(
                    "foreign_number",
                    _("Give the foreign-national number, or the attestation number."),
                )
            elif number and attestation:
                self.add_error(
                    "attestation_number",
                    _("Give one number only: the foreign-national number or the attestation's."),
                )
        start, end = cleaned.get("document_valid_from"), cleaned.get("document_valid_until")
        if start and end and end < start:
            self.add_error(
                "document_valid_until",
                _("The end of validity must be after the start of validity."),
            )
        return cleaned


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class AnswerForm(DsfrBaseForm):
    """An agent's answer: only what the employer may learn."""

    genuine = forms.ChoiceField(
        label=_("Is the document genuine?"), choices=YES_NO, widget=forms.RadioSelect
    )
    valid_on_start = forms.ChoiceField(
        label=_("Is it valid on the job start date?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    allows_work = forms.ChoiceField(
        label=_("Does it allow work?"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        help_text=_("The last day the holder may work under this document (or its ADP)."),
        widget=DateInput(),
        required=False,
    )
    student_limit = forms.BooleanField(
        label=_("Student: the yearly limit of 964 hours of work applies"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("genuine") == "yes":
            for name in ("valid_on_start", "allows_work"):
                if not cleaned.get(name):
                    self.add_error(name, _("Answer yes or no."))
            if cleaned.get("valid_on_start") == "yes" and not cleaned.get("valid_until"):
                self.add_error("valid_until", _("Give the last day of validity."))
        return cleaned


class TokenForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Name of the token"),
        help_text=_("Which software uses it, e.g. “Payroll”."),
        max_length=80,
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class ReportForm(DsfrBaseForm):
    message = forms.CharField(
        label=_("What would you like to tell us?"),
        help_text=_("For example: I never applied to this company."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
    )
