import re

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.notifications.phones import PHONE_RE, international_mobile


class PreferencesForm(DsfrBaseForm):
    # Legal notices (decisions, requests for documents, attestations) are always e-mailed:
    # only what is below is the person's to choose.
    mobile_phone = forms.CharField(
        label=_("Mobile phone number"),
        help_text=_("A French mobile number, e.g. 06 12 34 56 78."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    text_messages = forms.BooleanField(
        label=_("Send me text messages (SMS) at this number"),
        help_text=_(
            "When your permit is ready and for the renewal reminders. Without text messages,"
            " everything still reaches you by e-mail."
        ),
        required=False,
    )
    renewal_reminders = forms.BooleanField(
        label=_("Remind me when I can renew my document (e-mail, and SMS if I gave a number)"),
        required=False,
    )
    weekly_digest = forms.BooleanField(
        label=_("Send me a weekly e-mail listing what I need to do (only when there is something)"),
        required=False,
    )

    language = forms.ChoiceField(
        label=_("Language of my messages and pages"),
        help_text=_("E-mails and text messages from Séjour are written in this language."),
        # Each language named in itself and marked with its own lang (read out rightly).
        choices=[
            (code, format_html('<span lang="{}">{}</span>', code, name))
            for code, name in settings.LANGUAGES
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language of your messages."),
            "invalid_choice": _("Choose one of the languages offered: French, English or Arabic."),
        },
    )

    def clean_mobile_phone(self):
        value = re.sub(r"[\s.\-]", "", self.cleaned_data["mobile_phone"])
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError(
                _("Give a French mobile number, e.g. 06 12 34 56 78, or leave it empty."),
                code="invalid",
            )
        return international_mobile(value) if value else ""
