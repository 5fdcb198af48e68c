"""Employers' personas: two companies in the register, each with an administrator."""

import pytest
from django.utils import timezone

from sejour.accounts.models import User
from sejour.conftest import PASSWORD
from sejour.employers.models import Company, Employer, EmployerMember
from sejour.employers.services import api_token_create

BAKERY_SIRET = "73282932000074"
GARAGE_SIRET = "44306184100047"
CLOSED_SIRET = "55208185400028"


@pytest.fixture
def companies(db):
    Company.objects.create(
        siret=BAKERY_SIRET, name="Boulangerie Dupain", postcode="75011", city="Paris"
    )
    Company.objects.create(
        siret=GARAGE_SIRET, name="Garage du Rhône", postcode="69003", city="Lyon"
    )
    Company.objects.create(
        siret=CLOSED_SIRET, name="Ancienne Imprimerie", postcode="13001", city="Marseille",
        active=False,
    )  # fmt: skip


def make_member(employer: Employer, email: str, *, is_admin: bool = True) -> EmployerMember:
    user = User.objects.create_user(
        f"E-{email.split('@')[0][:20]}",
        PASSWORD,
        email=email,
        email_verified_at=timezone.now(),
        first_names="Claire",
        last_name="Martin",
        role=User.Role.EMPLOYER,
    )
    return EmployerMember.objects.create(
        employer=employer, user=user, email=email, is_admin=is_admin
    )


@pytest.fixture
def bakery(companies) -> EmployerMember:
    employer = Employer.objects.create(
        siret=BAKERY_SIRET, name="Boulangerie Dupain", postcode="75011", city="Paris"
    )
    return make_member(employer, "rh@dupain.example")


@pytest.fixture
def garage(companies) -> EmployerMember:
    employer = Employer.objects.create(
        siret=GARAGE_SIRET, name="Garage du Rhône", postcode="69003", city="Lyon"
    )
    return make_member(employer, "paie@garage.example")


@pytest.fixture
def bakery_client(client, bakery):
    client.force_login(bakery.user)
    return client


@pytest.fixture
def bakery_token(bakery):
    _token, clear = api_token_create(
        employer=bakery.employer,
        name="Payroll",
        scopes=["checks:write", "checks:read"],
        by=bakery.user,
    )
    return clear


@pytest.fixture
def garage_token(garage):
    _token, clear = api_token_create(
        employer=garage.employer, name="HR", scopes=["checks:write", "checks:read"], by=garage.user
    )
    return clear
