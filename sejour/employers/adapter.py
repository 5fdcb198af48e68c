"""The door to the register of companies (SIRENE in production).

Views and services ask `get_company_registry()`; `LocalCompanyRegistry` answers
from the `Company` table filled by the demo data, like the national files'
`LocalRegistry`. A connector to the real register would implement the same
protocol and be named in `EMPLOYER_REGISTRY`.
"""

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Company


@dataclass(frozen=True)
class CompanyRecord:
    siret: str
    name: str
    postcode: str
    city: str
    active: bool


class CompanyRegistry(Protocol):
    def company(self, *, siret: str) -> CompanyRecord | None:
        """The establishment with this SIRET, or None if the register does not know it."""


class LocalCompanyRegistry:
    def company(self, *, siret):
        row = Company.objects.filter(siret=siret).first()
        if row is None:
            return None
        return CompanyRecord(
            siret=row.siret, name=row.name, postcode=row.postcode, city=row.city, active=row.active
        )


@cache
def get_company_registry() -> CompanyRegistry:
    return import_string(settings.EMPLOYER_REGISTRY)()
