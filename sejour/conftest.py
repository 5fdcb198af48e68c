"""Personas shared by every test: built once per test, the same on SQLite and PostgreSQL.

- `applicant` (Amina, student permit, Paris) and `other_applicant` (Lucas, Lyon);
- `agent_paris` (competent for Amina), `agent_rhone` (another prefecture), `support_agent`;
- `registry_person(...)` adds a person and a document to the registry.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from sejour.accounts.models import User
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind, Motive, Person, Prefecture, ResidenceDocument

PASSWORD = "a long enough test passphrase"


@pytest.fixture(autouse=True)
def _fast_and_predictable(settings):
    # Argon2 stays the production hasher (tested in test_security); tests use a fast one.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
    ]
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def registry_person(db):
    counter = {"n": 0}

    def make(
        *,
        foreign_number: str | None = None,
        kind: str = DocumentKind.PERMIT,
        number: str | None = None,
        motive: str = Motive.STUDENT,
        starts_in_days: int = -300,
        ends_in_days: int = 90,
        postcode: str = "75011",
        validated: bool = False,
        last_name: str = "Diallo",
        first_names: str = "Amina",
    ) -> ResidenceDocument:
        counter["n"] += 1
        today = timezone.localdate()
        person = Person.objects.create(
            foreign_number=foreign_number,
            last_name=last_name,
            first_names=first_names,
            birth_date=today - timedelta(days=25 * 365),
            birth_place="Dakar",
            nationality="sénégalaise",
            address="1 rue de la Paix",
            postcode=postcode,
            city="Paris",
        )
        return ResidenceDocument.objects.create(
            person=person,
            kind=kind,
            number=number or f"DOC{counter['n']:06d}",
            valid_from=today + timedelta(days=starts_in_days),
            valid_until=today + timedelta(days=ends_in_days),
            motive=motive,
            allows_work=True,
            validated=validated,
        )

    return make


def _applicant(registry_person, number, **document) -> User:
    document = registry_person(foreign_number=number, **document)
    person = document.person
    return User.objects.create_user(
        number,
        PASSWORD,
        email=f"{number}@example.org",
        email_verified_at=timezone.now(),
        first_names=person.first_names,
        last_name=person.last_name,
    )


@pytest.fixture
def applicant(registry_person) -> User:
    return _applicant(registry_person, "7500000001")


@pytest.fixture
def other_applicant(registry_person) -> User:
    return _applicant(
        registry_person,
        "6900000002",
        postcode="69003",
        motive=Motive.TALENT,
        last_name="Pereira",
        first_names="Lucas",
    )


def _staff(identifier: str, role: str, department: str | None) -> User:
    return User.objects.create_user(
        identifier,
        PASSWORD,
        email=f"{identifier}@example.org",
        role=role,
        prefecture=Prefecture.objects.get(department_code=department) if department else None,
    )


@pytest.fixture
def agent_paris(db) -> User:
    return _staff("agent.paris", User.Role.AGENT, "75")


@pytest.fixture
def agent_rhone(db) -> User:
    return _staff("agent.rhone", User.Role.AGENT, "69")


@pytest.fixture
def support_agent(db) -> User:
    return _staff("support", User.Role.SUPPORT, None)


@pytest.fixture
def outbox_link(db):
    """The first link of the newest e-mail sent to an address."""

    def find(recipient: str) -> str:
        message = OutboxMessage.objects.filter(recipient=recipient).order_by("-id").first()
        assert message is not None, f"no e-mail to {recipient}"
        match = re.search(r"https?://\S+", message.body)
        assert match, message.body
        return urlsplit(match.group(0)).path

    return find
