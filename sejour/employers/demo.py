"""Demo data: the local register of companies and one employer's space to try."""

import csv
from pathlib import Path

from django.utils import timezone

from sejour.accounts.models import User

from .models import Company, Employer, EmployerMember

COMPANIES_CSV = Path(__file__).parent / "data" / "companies.csv"
DEMO_EMPLOYER_SIRET = "73282932000074"


def companies_load(path: Path = COMPANIES_CSV) -> int:
    """The local register of companies (the development stand-in for SIRENE)."""
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            Company.objects.update_or_create(
                siret=row["siret"],
                defaults={
                    "name": row["name"],
                    "address": row["address"],
                    "postcode": row["postcode"],
                    "city": row["city"],
                    "active": row["active"] == "1",
                },
            )
    return Company.objects.count()


def employers_demo_load(*, password: str, email_domain: str) -> str:
    """Companies, and the bakery's space with its administrator; returns the login e-mail."""
    companies_load()
    company = Company.objects.get(siret=DEMO_EMPLOYER_SIRET)
    employer, _created = Employer.objects.get_or_create(
        siret=company.siret,
        defaults={"name": company.name, "postcode": company.postcode, "city": company.city},
    )
    email = f"employeur@{email_domain}"
    if not EmployerMember.objects.filter(email=email).exists():
        user = User.objects.create_user(
            "E-DEMOEMPLOY",
            password,
            email=email,
            email_verified_at=timezone.now(),
            first_names="Claire",
            last_name="Martin",
            role=User.Role.EMPLOYER,
        )
        EmployerMember.objects.create(employer=employer, user=user, email=email, is_admin=True)
    return email
