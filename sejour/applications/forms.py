"""The forms of the filing wizard. Each cleans to plain JSON-ready values."""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import DateInput, ForeignNumberField
from sejour.notifications.phones import PHONE_RE
from sejour.registry.models import Motive
from sejour.registry.postcodes import POSTCODE_RE


class WizardForm(DsfrBaseForm):
    def json_data(self) -> dict:
        """cleaned_data as JSON values (dates as ISO strings, decimals as strings)."""
        data = {}
        for key, value in self.cleaned_data.items():
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            data[key] = value
        return data


class PersonalForm(WizardForm):
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    first_names = forms.CharField(label=_("First names"), max_length=150)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    birth_place = forms.CharField(label=_("Place of birth (town and country)"), max_length=120)
    nationality = forms.CharField(label=_("Nationality"), max_length=80)
    address = forms.CharField(
        label=_("Address in France"),
        help_text=_("Number and street, building, floor. This address decides your prefecture."),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(label=_("Town"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile phone number"),
        help_text=_(
            "For example 06 12 34 56 78. With it, we also send a text message when your "
            "permit is ready to collect. Without it, you are told only by e-mail and in "
            "your space."
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value >= timezone.localdate() or value < date(1900, 1, 1):
            raise forms.ValidationError(_("Check your date of birth."), code="invalid")
        return value

    def clean_postcode(self):
        value = self.cleaned_data["postcode"].strip()
        if not POSTCODE_RE.match(value):
            raise forms.ValidationError(_("A postcode has 5 digits, e.g. 75011."), code="invalid")
        return value

    def clean_phone(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data["phone"])
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError(
                _("Give a French mobile number, e.g. 06 12 34 56 78, or leave it empty."),
                code="invalid",
            )
        return value


class StudentForm(WizardForm):
    institution = forms.CharField(label=_("School or university"), max_length=200)
    level = forms.ChoiceField(
        label=_("Level of studies"),
        choices=[
            ("", _("Choose a level")),
            ("licence", _("Bachelor (licence) or equivalent")),
            ("master", _("Master or engineering school")),
            ("doctorate", _("Doctorate")),
            ("other", _("Other (language school, preparatory class …)")),
        ],
    )
    programme = forms.CharField(label=_("Programme or diploma prepared"), max_length=200)


class TalentForm(WizardForm):
    category = forms.ChoiceField(
        label=_("Talent category"),
        choices=[
            ("", _("Choose a category")),
            ("qualified_employee", _("Highly qualified employee (EU Blue Card)")),
            ("researcher", _("Researcher")),
            ("innovative_company", _("Employee of an innovative company")),
            ("founder", _("Company founder or innovative project")),
            ("investor", _("Economic investor")),
            ("artist", _("Artist or performer")),
            ("renown", _("Internationally renowned person")),
        ],
    )
    employer = forms.CharField(label=_("Employer, company or host institution"), max_length=200)
    annual_salary = forms.IntegerField(
        label=_("Gross annual pay, in euros"),
        help_text=_("Write 0 if you create a company and do not pay yourself yet."),
        min_value=0,
        max_value=10_000_000,
    )


class TalentFamilyForm(WizardForm):
    holder_last_name = forms.CharField(
        label=_("Last name of the talent-permit holder"), max_length=100
    )
    holder_first_names = forms.CharField(
        label=_("First names of the talent-permit holder"), max_length=150
    )
    holder_number = ForeignNumberField(label=_("Their foreign-national number"))
    link = forms.ChoiceField(
        label=_("Your link with them"),
        choices=[("", _("Choose")), ("spouse", _("Spouse or partner")), ("child", _("Child"))],
    )


class VisitorForm(WizardForm):
    no_work_commitment = forms.BooleanField(
        label=_("I undertake not to work in France during my stay."),
        help_text=_("A visitor permit does not allow work; this commitment is required."),
    )
    plans = forms.CharField(
        label=_("What you plan to do during your stay"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


MOTIVE_FORMS = {
    Motive.STUDENT: StudentForm,
    Motive.TALENT: TalentForm,
    Motive.TALENT_FAMILY: TalentFamilyForm,
    Motive.VISITOR: VisitorForm,
}


class ResourcesForm(WizardForm):
    monthly_amount = forms.DecimalField(
        label=_("Your resources per month, in euros"),
        min_value=Decimal("0"),
        max_value=Decimal("1000000"),
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )
    sources = forms.MultipleChoiceField(
        label=_("Where they come from"),
        choices=[
            ("scholarship", _("Scholarship")),
            ("family", _("Support from family or a sponsor")),
            ("savings", _("Savings")),
            ("pension", _("Pension")),
            ("work", _("Income from work")),
            ("other", _("Other")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AddressCardForm(WizardForm):
    new_card = forms.TypedChoiceField(
        label=_("Do you want a new card with your new address?"),
        help_text=_(
            "A new card is paid for (manufacturing stamp duty). Without one, you get an "
            "attestation of your new address in your account once the prefecture has checked it."
        ),
        choices=[
            ("yes", _("Yes, make a new card (paid)")),
            ("no", _("No, an attestation is enough")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )

    def json_data(self) -> dict:
        return {"new_card": "yes" if self.cleaned_data["new_card"] else "no"}


class DeclarationForm(WizardForm):
    what = forms.ChoiceField(
        label=_("What happened to your permit?"),
        choices=[
            ("loss", _("I lost it")),
            ("theft", _("It was stolen")),
            ("damage", _("It is damaged")),
        ],
        widget=forms.RadioSelect,
    )
    when = forms.DateField(
        label=_("When did it happen (or when did you notice it)?"), widget=DateInput()
    )
    where = forms.CharField(label=_("Where (town)"), max_length=120)
    circumstances = forms.CharField(
        label=_("Circumstances"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_when(self):
        value = self.cleaned_data["when"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."), code="future")
        if value < date(1990, 1, 1):
            raise forms.ValidationError(_("Check this date."), code="invalid")
        return value


class PermitChoiceForm(DsfrBaseForm):
    """Which permit the person asks for: every motive is offered, so that one not
    open online gets its answer (where to apply) instead of being missing."""

    motive = forms.ChoiceField(
        label=_("Which permit do you ask for?"),
        choices=Motive.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the permit you ask for."),
            "invalid_choice": _("Choose one of the permits in the list."),
        },
    )


class UploadForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("JPG, PNG, BMP, TIFF or PDF; a photo taken with your phone is fine."),
    )
    is_letter = forms.BooleanField(
        label=_("This is a handwritten letter explaining why I do not have this document"),
        required=False,
    )


class EphotoForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("E-photo code"),
        help_text=_(
            "Printed on the photo sheet from an approved booth or photographer: "
            "about 22 letters and digits."
        ),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ConfirmForm(DsfrBaseForm):
    certify = forms.BooleanField(
        label=_(
            "I certify that the information I give is accurate and that the documents are genuine."
        )
    )


class WithdrawForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Why do you withdraw it?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the prefecture will no longer examine this application.")
    )
