"""`manage.py load_demo`: every account path and situation, safe to run twice."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from sejour.accounts.models import User
from sejour.core.demo import DEMO_PASSWORD, EPHOTO_CODES, PEOPLE, TAX_STAMPS
from sejour.registry.adapter import LocalRegistry
from sejour.registry.models import DocumentKind, EphotoCode, Person, ResidenceDocument, TaxStamp


@pytest.fixture(autouse=True)
def development(settings):
    """`load_demo` is a development command (see the test below that it refuses otherwise)."""
    settings.DEBUG = True


@pytest.mark.django_db
def test_load_demo_refuses_to_run_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Only with DEBUG on"):
        call_command("load_demo")
    assert not User.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_load_demo_twice_gives_the_same_data(capsys):
    call_command("load_demo")
    first = (
        Person.objects.count(),
        ResidenceDocument.objects.count(),
        User.objects.count(),
        EphotoCode.objects.count(),
        TaxStamp.objects.count(),
    )
    call_command("load_demo")
    second = (
        Person.objects.count(),
        ResidenceDocument.objects.count(),
        User.objects.count(),
        EphotoCode.objects.count(),
        TaxStamp.objects.count(),
    )
    assert first == second
    assert first[0] == len(PEOPLE)
    assert first[3] == len(EPHOTO_CODES)
    assert first[4] == len(TAX_STAMPS)
    assert "Demo data loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_covers_every_account_path_and_situation():
    call_command("load_demo")
    registry = LocalRegistry()
    kinds = set(ResidenceDocument.objects.values_list("kind", flat=True))
    assert kinds == {choice.value for choice in DocumentKind}
    people = Person.objects.prefetch_related("documents")
    documents = [
        registry.current_document(foreign_number=p.foreign_number)
        for p in people
        if p.foreign_number
    ] + [
        registry.visa(visa_number=number)
        for number in ResidenceDocument.objects.filter(
            person__foreign_number__isnull=True
        ).values_list("number", flat=True)
    ]
    opens = [document.opens_account for document in documents]
    assert True in opens and False in opens
    # An account for every permit, yet not every permit is filed online (decision 0010).
    assert any(d.opens_account and not d.allows_application_for(d.motive) for d in documents)
    ends = {
        document.valid_until - document.valid_from for document in ResidenceDocument.objects.all()
    }
    assert len(ends) > 3
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {choice.value for choice in User.Role}
    agent_prefectures = set(
        User.objects.filter(role=User.Role.AGENT).values_list(
            "prefecture__department_code", flat=True
        )
    )
    assert len(agent_prefectures) >= 2
    assert User.objects.filter(identifier__isnull=True, visa_number__isnull=False).exists()
    assert User.objects.filter(identifier__regex=r"^\d{9}$").count() == 0
    assert Person.objects.filter(foreign_number__regex=r"^\d{9}$").exists()


@pytest.mark.django_db
def test_demo_applicants_log_in_with_the_documented_password():
    call_command("load_demo")
    assert authenticate(identifier="7501000001", password=DEMO_PASSWORD) is not None


def test_demo_totp_refuses_to_run_outside_development(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Only with DEBUG on"):
        call_command("demo_totp")
