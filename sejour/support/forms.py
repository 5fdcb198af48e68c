from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.accounts.forms import ForeignNumberField, ValidityDatesMixin, validity_fields

from .models import Ticket


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ContactForm(DsfrBaseForm):
    category = forms.ChoiceField(
        label=_("Subject"), choices=[("", _("Choose a subject"))] + Ticket.Category.choices
    )
    message = forms.CharField(
        label=_("Your message"),
        help_text=_("Describe what you were doing and what happened. Do not write your password."),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    email = forms.EmailField(
        label=_("E-mail address for our answer"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    name = forms.CharField(label=_("Your name"), required=False, max_length=150)
    page_url = forms.CharField(
        label=_("Page where the problem happened"),
        help_text=_("Filled in for you; change it if needed."),
        required=False,
        max_length=500,
    )
    happened_at = forms.CharField(
        label=_("Date and time of the problem"),
        help_text=_("Filled in for you; change it if needed."),
        required=False,
        max_length=40,
    )
    screenshots = MultipleFileField(
        label=_("Screenshots"),
        help_text=_(
            "Up to 3 images. Show the whole screen, with the address bar, the date and the "
            "time if you can."
        ),
        required=False,
    )


class TicketAnswerForm(DsfrBaseForm):
    message = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        error_messages={"required": _("Write the answer.")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AssistanceCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code the person reads out"),
        help_text=_("6 digits, sent to the person's e-mail address."),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class AssistanceForm(ValidityDatesMixin, DsfrBaseForm):
    foreign_number = ForeignNumberField()
    valid_from, valid_until = validity_fields()
    email = forms.EmailField(
        label=_("The person's e-mail address"),
        help_text=_(
            "Used for a new account only: the person receives a link to choose their password."
        ),
    )
    consent = forms.BooleanField(
        label=_(
            "The person is present, asked for help, and agrees that I file "
            "on their behalf and see their data."
        ),
        error_messages={"required": _("The person's consent is required.")},
    )
