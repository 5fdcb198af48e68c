from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import MAX_LENGTH, AnswerTemplate


class MessageForm(DsfrBaseForm):
    # The length and a text of spaces only are checked by the service, with its messages.
    body = forms.CharField(
        label=_("Your message"),
        help_text=_("5,000 characters at most. Never send your password."),
        strip=False,
        error_messages={"required": _("Write your message.")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachment = forms.FileField(
        label=_("Attach a file"),
        help_text=_("A photo, screenshot or PDF; checked for viruses like your documents."),
        required=False,
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["body"].label = label
            # The DSFR form has already built its bound fields, label included.
            self._bound_fields_cache.pop("body", None)


class AnswerTemplateForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = AnswerTemplate
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "maxlength": MAX_LENGTH})}
        error_messages = {
            "title": {"required": _("Give the template a title.")},
            "body": {"required": _("Write your message.")},
        }
