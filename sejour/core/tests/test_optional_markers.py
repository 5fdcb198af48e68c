"""One optional marker, only on optional fields, in every form."""

import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from dsfr.forms import DsfrBaseForm

from sejour.instruction.forms import ComplementForm

MARKERS = {"en": "(optional)", "fr": "(facultatif)"}
# The design system library's own marker, which ours replaces.
LIBRARY_MARKERS = ("(Optional)", "(Optionnel)")


def project_forms() -> list[type]:
    for path in Path(settings.BASE_DIR, "sejour").rglob("forms.py"):
        importlib.import_module(".".join(path.relative_to(settings.BASE_DIR).with_suffix("").parts))

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {form for form in subclasses(DsfrBaseForm) if form.__module__.startswith("sejour.")},
        key=lambda form: form.__qualname__,
    )


def instances():
    built = []
    for form_class in project_forms():
        try:
            built.append(form_class())
        except TypeError:
            continue  # needs arguments: covered by its own tests, and ComplementForm below
    return built


def label_of(html: str, field) -> str:
    """The text of the field's label or legend, help text left out."""
    match = re.search(
        rf'(?:for="{field.id_for_label}"|id="{field.auto_id}-legend")[^>]*>(.*?)(?:<span class="fr-hint-text"|</label>|</legend>)',
        html,
        re.S,
    )
    return match.group(1) if match else ""


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_field_has_one_marker_if_optional_and_none_if_required(language):
    forms = instances() + [ComplementForm(requirements=[])]
    assert len(forms) > 20
    marker = MARKERS[language]
    with translation.override(language):
        for form in forms:
            for field in form:
                if field.is_hidden:
                    continue
                html = str(field.as_field_group())
                for library_marker in LIBRARY_MARKERS:
                    assert library_marker not in html, (type(form).__name__, field.name)
                label = label_of(html, field)
                optional = not field.field.required and not getattr(
                    field.field, "one_of_group", False
                )
                assert label.lower().count(marker) == (1 if optional else 0), (
                    type(form).__name__,
                    field.name,
                    label,
                )
                help_text = str(field.help_text).lower()
                assert "optional" not in help_text and "facultati" not in help_text, (
                    type(form).__name__,
                    field.name,
                )


@pytest.mark.django_db
def test_a_group_where_one_box_is_required_is_not_marked_optional():
    form = ComplementForm(requirements=[])
    with translation.override("fr"):
        for name in ("missing", "not_compliant"):
            assert "facultatif" not in str(form[name].as_field_group()).lower()
