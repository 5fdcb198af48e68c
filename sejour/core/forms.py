from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from sejour.registry.models import Motive
from sejour.rules.models import Procedure


class FeeSimulatorForm(DsfrBaseForm):
    motive = forms.ChoiceField(
        label=_("Permit asked for"),
        choices=[
            (m.value, m.label)
            for m in Motive
            if m.value in ("student", "talent", "talent_family", "visitor")
        ],
    )
    procedure = forms.ChoiceField(
        label=_("Procedure"),
        choices=[(p.value, p.label) for p in Procedure],
        widget=forms.RadioSelect,
    )
    late = forms.BooleanField(
        label=_("Renewal filed less than two months before the end of the permit"), required=False
    )
