from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def euros(cents) -> str:
    """1234500 → "12 345 €" (with the separators of the current language)."""
    if cents in (None, ""):
        return ""
    amount = int(cents) / 100
    places = 0 if amount == int(amount) else 2
    return f"{number_format(amount, places, use_l10n=True, force_grouping=True)}\u00a0€"


@register.simple_tag
def static_integrity(name: str) -> str:
    """The subresource-integrity hash of a static file as it is served (see static_integrity)."""
    from sejour.core.static_integrity import static_integrity as compute

    return compute(name)


@register.simple_tag
def optional_marker(bound_field) -> str:
    """The one mark of an optional field, " (optional)" after its label; none on a required
    field, nor on one of a group where one answer is required (`field.one_of_group`, set
    by the form, whose own check then says what is missing)."""
    field = bound_field.field
    if field.required or getattr(field, "one_of_group", False):
        return ""
    return f" ({_('optional')})"
