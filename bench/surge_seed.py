"""Accounts for the surge run (bench/surge.sh), on top of the demo data.

- students whose permit ends in 75 days (inside the renewal window), each with an
  account and an e-photo code of their own, living in Paris; every other one with
  a draft prepared earlier (steps saved, documents sent), to file on the day;
- people of the registry without an account, for the sign-ups;
- agents of the Préfecture de police, each with their own second-factor device.

Writes bench/results/surge-plan.json: what the locust file needs (counts, the
documents a student renewal requires). Run with DEBUG=true like load_demo.
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sejour.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from sejour.accounts.models import User  # noqa: E402
from sejour.core.demo import DEMO_PASSWORD, DEMO_TOTP_KEY_HEX  # noqa: E402
from sejour.registry.models import (  # noqa: E402
    DocumentKind,
    EphotoCode,
    Motive,
    Person,
    Prefecture,
    ResidenceDocument,
)
from sejour.rules.services import document_requirements  # noqa: E402

STUDENTS = int(os.environ.get("SURGE_STUDENTS", "400"))
# Half the students prepared their draft in the weeks before (steps saved, documents
# sent): on the peak day they log in and file. The others do the whole wizard.
PREPARED_EVERY = 2
NEWCOMERS = int(os.environ.get("SURGE_NEWCOMERS", "400"))
AGENTS = int(os.environ.get("SURGE_AGENTS", "12"))


def student_number(index: int) -> str:
    return f"80{index:08d}"


def newcomer_number(index: int) -> str:
    return f"81{index:08d}"


def ephoto_code(index: int) -> str:
    return f"SURGE{index:06d}K2M9Q4R8T1V"[:22]


def person(number: str, index: int, ends_in_days: int) -> ResidenceDocument:
    today = timezone.localdate()
    someone = Person.objects.create(
        foreign_number=number,
        last_name=f"Etudiant{index}",
        first_names="Awa",
        birth_date=today - timedelta(days=22 * 365 + index),
        birth_place="Dakar",
        nationality="sénégalaise",
        address=f"{index} rue de la Roquette",
        postcode="75011",
        city="Paris",
    )
    return ResidenceDocument.objects.create(
        person=someone,
        kind=DocumentKind.PERMIT,
        number=f"SRG{number}",
        valid_from=today - timedelta(days=300),
        valid_until=today + timedelta(days=ends_in_days),
        motive=Motive.STUDENT,
        allows_work=True,
    )


def prepare_draft(user, code: str, documents: list[str]) -> str:
    """A draft with every step and document, as if made earlier (files stored directly:
    the run measures filing, not this preparation)."""
    import hashlib
    import io

    from django.core.files.base import ContentFile
    from pypdf import PdfWriter

    from sejour.applications import services
    from sejour.documents.models import SupportingFile

    application = services.application_start(applicant=user, motive="student")
    for step, data in (
        ("personal", PERSONAL),
        (
            "motive",
            {"institution": "Sorbonne Université", "level": "master", "programme": "Chimie"},
        ),
        ("resources", {"monthly_amount": "900", "sources": ["scholarship"], "details": ""}),
    ):
        services.application_step_save(application=application, step=step, data=data, by=user)
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    content = buffer.getvalue()
    for requirement in documents:
        stored = SupportingFile(
            application=application,
            requirement_code=requirement,
            original_name="scan.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
        )
        stored.file.save("scan.pdf", ContentFile(content), save=True)
    services.application_ephoto_set(application=application, code=code, by=user)
    services.application_step_save(application=application, step="documents", data={}, by=user)
    return application.reference


PERSONAL = {
    "last_name": "Etudiant",
    "first_names": "Awa",
    "birth_date": "2003-04-12",
    "birth_place": "Dakar (Sénégal)",
    "nationality": "sénégalaise",
    "address": "12 rue de la Roquette",
    "postcode": "75011",
    "city": "Paris",
    "phone": "06 12 34 56 78",
}


@transaction.atomic
def seed() -> dict:
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)  # Argon2 once: every account shares it
    documents = [
        r.code
        for r in document_requirements(
            motive="student", procedure="renewal", on=timezone.localdate()
        )
        if r.required
    ]
    students = []
    for index in range(STUDENTS):
        number = student_number(index)
        person(number, index, ends_in_days=75)
        user = User.objects.create(
            identifier=number,
            password=password,
            email=f"{number}@surge.example",
            email_verified_at=now,
            first_names="Awa",
            last_name=f"Etudiant{index}",
        )
        EphotoCode.objects.create(
            code=ephoto_code(index),
            taken_at=now - timedelta(days=3),
            available_at=now - timedelta(days=2),
        )
        draft = None
        if index % PREPARED_EVERY:
            draft = prepare_draft(user, ephoto_code(index), documents)
        students.append([number, ephoto_code(index), draft])
    newcomers = []
    for index in range(NEWCOMERS):
        number = newcomer_number(index)
        document = ResidenceDocument.objects.filter(person__foreign_number=number).first()
        document = document or person(number, 100000 + index, ends_in_days=100)
        newcomers.append(
            [number, document.valid_from.isoformat(), document.valid_until.isoformat()]
        )
    paris = Prefecture.objects.get(department_code="75")
    for index in range(AGENTS):
        agent, _created = User.objects.get_or_create(
            identifier=f"agent.surge{index}",
            defaults={
                "password": password,
                "email": f"agent.surge{index}@surge.example",
                "role": User.Role.AGENT,
                "prefecture": paris,
            },
        )
        TOTPDevice.objects.get_or_create(
            user=agent, name="surge", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
        )
    return {
        "students": students,
        "newcomers": newcomers,
        "agents": [f"agent.surge{i}" for i in range(AGENTS)],
        "documents": documents,
        "password": DEMO_PASSWORD,
        "totp_key_hex": DEMO_TOTP_KEY_HEX,
    }


if __name__ == "__main__":
    plan = seed()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "var" / "surge-plan.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(plan))
    print(
        f"{len(plan['students'])} students, {len(plan['newcomers'])} newcomers, "
        f"{len(plan['agents'])} agents; documents: {', '.join(plan['documents'])}"
    )
