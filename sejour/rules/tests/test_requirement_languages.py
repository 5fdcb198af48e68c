"""Supporting-document requirements speak the applicant's language, Arabic included."""

import json
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.utils import translation

from sejour.rules.models import DocumentRequirement
from sejour.rules.services import DATA

ARABIC = re.compile(r"[\u0600-\u06ff]")
FILE_ROWS = json.loads((DATA / "document_requirements.json").read_text(encoding="utf-8"))


def test_every_requirement_of_the_file_has_its_arabic_label_and_guidance():
    for row in FILE_ROWS:
        assert ARABIC.search(row["label_ar"]), row["code"]
        assert ARABIC.search(row["help_ar"]) or not row["help_fr"], row["code"]


@pytest.mark.django_db
def test_label_and_guidance_follow_the_language():
    requirement = DocumentRequirement.objects.get(code="passport")
    with translation.override("ar"):
        assert requirement.label == "جواز السفر (صفحات الهوية والتأشيرات)"
        assert ARABIC.search(requirement.help)
    with translation.override("en"):
        assert requirement.label == "Passport (identity pages and visas)"
    with translation.override("fr"):
        assert requirement.label == "Passeport (pages d’identité et visas)"


@pytest.mark.django_db
def test_a_requirement_added_without_arabic_shows_its_french_text_in_arabic():
    requirement = DocumentRequirement.objects.get(code="passport")
    requirement.label_ar = requirement.help_ar = ""
    with translation.override("ar"):
        assert requirement.label == requirement.label_fr
        assert requirement.help == requirement.help_fr


@pytest.mark.django_db
def test_migration_translates_rows_made_before_it_unless_their_french_was_edited():
    import importlib

    migration = importlib.import_module("sejour.rules.migrations.0005_documentrequirement_arabic")
    DocumentRequirement.objects.update(label_ar="", help_ar="")
    DocumentRequirement.objects.filter(code="health_insurance").update(
        label_fr="Attestation d’assurance maladie (modifiée par l’administrateur)"
    )
    editor = SimpleNamespace(connection=SimpleNamespace(alias="default"))
    migration.arabic_fill(apps, editor)
    assert ARABIC.search(DocumentRequirement.objects.get(code="passport").label_ar)
    edited = DocumentRequirement.objects.get(code="health_insurance")
    assert edited.label_ar == "" and edited.help_ar == ""
