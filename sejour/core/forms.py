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
        # After a validated VLS-TS the first card is a renewal (decision 0011): the
        # choices say so, since the person holding one thinks of a "first card".
        choices=[
            (Procedure.FIRST, _("First application, after a long-stay visa “titre à solliciter”")),
            (Procedure.RENEWAL, _("Renewal, or first card after a validated VLS-TS")),
            (Procedure.ADDRESS_CHANGE, Procedure.ADDRESS_CHANGE.label),
            (Procedure.DUPLICATE, Procedure.DUPLICATE.label),
        ],
        help_text=_(
            "If you validated a VLS-TS, you paid the first-permit tax then: choose “Renewal”."
        ),
        widget=forms.RadioSelect,
    )
    late = forms.BooleanField(
        label=_("Renewal filed less than two months before the end of the permit or of the VLS-TS"),
        required=False,
    )
