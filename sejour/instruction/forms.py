from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import DateInput
from sejour.applications.models import STAFF_STATUS_LABELS, Status
from sejour.registry.models import Motive

from .models import IdentityReview


class AgentLoginForm(DsfrBaseForm):
    identifier = forms.CharField(label=_("Agent identifier"), max_length=40)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("6 digits, renewed every 30 seconds."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Foreign-national number, name or reference"), required=False, max_length=100
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All"))]
        + [(s.value, STAFF_STATUS_LABELS.get(s, s.label)) for s in Status if s != Status.DRAFT],
    )
    motive = forms.ChoiceField(
        label=_("Motive"),
        required=False,
        choices=[("", _("All"))]
        + [
            (m.value, m.label)
            for m in Motive
            if m.value in ("student", "talent", "talent_family", "visitor")
        ],
    )
    late = forms.BooleanField(label=_("Filed late"), required=False)
    deadline_passed = forms.BooleanField(label=_("Applicant's deadline passed"), required=False)
    awaiting_answer = forms.BooleanField(label=_("Waiting for our answer"), required=False)


class ComplementForm(DsfrBaseForm):
    missing = forms.MultipleChoiceField(
        label=_("Missing documents"), required=False, widget=forms.CheckboxSelectMultiple
    )
    not_compliant = forms.MultipleChoiceField(
        label=_("Documents not compliant"), required=False, widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        help_text=_(
            "Say plainly what is wrong and what to send. "
            "The applicant reads it in their account and by e-mail."
        ),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateField(label=_("Answer expected by"), widget=DateInput())

    def __init__(self, *args, requirements=(), complement_days=30, **kwargs):
        super().__init__(*args, **kwargs)
        # One of the two groups must be ticked (clean says so): neither is marked optional.
        self.fields["missing"].one_of_group = True
        self.fields["not_compliant"].one_of_group = True
        choices = [(r.code, r.label) for r in requirements]
        self.fields["missing"].choices = choices
        self.fields["not_compliant"].choices = choices
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=complement_days)

    def clean(self):
        cleaned = super().clean()
        missing, wrong = set(cleaned.get("missing", [])), set(cleaned.get("not_compliant", []))
        if not missing and not wrong:
            raise forms.ValidationError(_("Choose at least one document."))
        if missing & wrong:
            raise forms.ValidationError(_("A document cannot be both missing and not compliant."))
        return cleaned

    def items(self) -> list[dict]:
        return [{"code": code, "problem": "missing"} for code in self.cleaned_data["missing"]] + [
            {"code": code, "problem": "not_compliant"}
            for code in self.cleaned_data["not_compliant"]
        ]


class DecisionForm(DsfrBaseForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("favourable", _("Favourable")), ("unfavourable", _("Unfavourable"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("Required. For a refusal, they are printed on the decision letter."),
        max_length=5000,
        error_messages={"required": _("Write the reasons for the decision.")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CloseForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Reason for closing"),
        help_text=_("Required; shown to the applicant."),
        max_length=3000,
        error_messages={"required": _("Write the reason: the applicant will read it.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HandOverForm(DsfrBaseForm):
    stamps = forms.CharField(
        label=_("Electronic stamp numbers"),
        help_text=_("16 digits each, one per line. Paper stamps are not accepted."),
        max_length=500,
        error_messages={"required": _("Enter the number of at least one electronic stamp.")},
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "numeric"}),
    )

    def numbers(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["stamps"].splitlines() if line.strip()]


class IdentityReviewForm(DsfrBaseForm):
    verdict = forms.ChoiceField(
        label=_("Which one is right?"),
        choices=IdentityReview.Verdict.choices,
        error_messages={"required": _("Choose which one is right.")},
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What you checked"),
        help_text=_("Required, for the history: for example the passport seen at the desk."),
        max_length=2000,
        error_messages={
            "required": _("Say what you checked, for example the passport seen at the desk.")
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )
