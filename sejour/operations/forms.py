from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class PartnerAddressForm(DsfrBaseForm):
    name = forms.CharField(
        label=_("Name of the place"),
        help_text=_("For example: France Services Lyon 8e, Cimade Lyon."),
        max_length=120,
    )
    network = forms.CharField(
        label=_("Public IP address or network"),
        help_text=_("As the place's provider gives it: 81.250.12.34 or 81.250.12.32/28."),
        max_length=49,
    )
    ceiling = forms.IntegerField(
        label=_("Attempts allowed per hour"),
        help_text=_(
            "Sign-ups, e-mail checks, password resets and contact messages, each counted "
            "for the whole place; failed logins per 15 minutes. Limits per person still apply."
        ),
        min_value=1,
        max_value=settings.PARTNER_CEILING_MAX,
        initial=300,
    )
