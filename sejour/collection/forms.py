from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Closure, CollectionSite, OpeningHours


class SlotField(forms.ChoiceField):
    """A free slot, as "<site id>|<UTC start in ISO format>"."""

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)

    def validate(self, value):
        # Only "given": whether the time is still free, open and ahead is the service's
        # to say, with its own message (a list shown a minute ago may be stale).
        forms.Field.validate(self, value)


class SlotChoiceForm(DsfrBaseForm):
    slot = SlotField(
        label=_("Free times"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a time from the list.")},
    )

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(key, label) for key, label in slots]

    def clean_slot(self):
        value = self.cleaned_data["slot"]
        site_id, _sep, moment = value.partition("|")
        try:
            site_id = int(site_id)
            starts_at = datetime.fromisoformat(moment)
        except ValueError:
            raise forms.ValidationError(_("Choose a time from the list.")) from None
        if starts_at.tzinfo is None or not 2000 <= starts_at.year <= 2999:
            raise forms.ValidationError(_("Choose a time from the list."))
        return site_id, starts_at


class DayForm(DsfrBaseForm):
    site = forms.TypedChoiceField(label=_("Site"), coerce=int)
    day = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date, for example 14/03/2027.")},
    )

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(site.pk, site.name) for site in sites]


class CancelForm(DsfrBaseForm):
    reason = forms.CharField(
        label=_("Why you cannot come (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SiteForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = CollectionSite
        fields = [
            "name",
            "address",
            "access_notes",
            "slot_minutes",
            "desks",
            "postcodes",
            "is_main",
            "is_active",
        ]
        help_texts = {
            "postcodes": _("Separated by spaces. The main site serves every other postcode."),
        }

    def _get_validation_exclusions(self):
        # Marking a new main site is allowed: site_save takes the mark off the old one.
        return {*super()._get_validation_exclusions(), "is_main"}

    def clean_slot_minutes(self):
        value = self.cleaned_data["slot_minutes"]
        if value < 5 or value > 240:
            raise forms.ValidationError(_("A slot lasts from 5 to 240 minutes."))
        return value

    def clean_desks(self):
        value = self.cleaned_data["desks"]
        if value < 1 or value > 50:
            raise forms.ValidationError(_("Between 1 and 50 desks."))
        return value

    def clean_postcodes(self):
        codes = self.cleaned_data["postcodes"].replace(",", " ").split()
        wrong = [code for code in codes if not (len(code) == 5 and code.isdigit())]
        if wrong:
            raise forms.ValidationError(
                _("A postcode has 5 digits: %(codes)s") % {"codes": ", ".join(wrong[:5])}
            )
        return " ".join(codes)


class HoursForm(DsfrBaseForm):
    """A site's week: for each day, up to two periods (morning, afternoon)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in OpeningHours.Weekday.choices:
            for period in (1, 2):
                for edge, edge_label in (("opens", _("opens at")), ("closes", _("closes at"))):
                    self.fields[f"d{weekday}_{period}_{edge}"] = forms.TimeField(
                        label=f"{label} — {edge_label} ({period})",
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                        error_messages={"invalid": _("Enter a time, for example 09:00.")},
                    )

    def clean(self):
        data = super().clean()
        periods = []
        for weekday, _label in OpeningHours.Weekday.choices:
            day = []
            for period in (1, 2):
                opens = data.get(f"d{weekday}_{period}_opens")
                closes = data.get(f"d{weekday}_{period}_closes")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None or opens >= closes:
                    self.add_error(
                        f"d{weekday}_{period}_closes",
                        _("Give both times, the closing one after the opening one."),
                    )
                    continue
                day.append((opens, closes))
            day.sort()
            if len(day) == 2 and day[0][1] > day[1][0]:
                self.add_error(f"d{weekday}_2_opens", _("The two periods overlap."))
            periods += [(weekday, opens, closes) for opens, closes in day]
        data["periods"] = periods
        return data


class ClosureForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["starts_on"] > data["ends_on"]:
            self.add_error("ends_on", _("The last day comes after the first one."))
        return data


class WalkInForm(DsfrBaseForm):
    reference = forms.CharField(label=_("Application reference"), max_length=20)


class ThresholdForm(DsfrBaseForm):
    warn_after_days = forms.IntegerField(
        label=_("Warn when the average wait exceeds (days)"),
        min_value=1,
        max_value=365,
        error_messages={
            "invalid": _("Enter a number of days, from 1 to 365."),
            "min_value": _("Enter a number of days, from 1 to 365."),
            "max_value": _("Enter a number of days, from 1 to 365."),
            "required": _("Enter a number of days, from 1 to 365."),
        },
    )
