"""Driving the filing wizard with Django's test client, as a person would."""

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sejour.applications.models import Application
from sejour.conftest import pdf_bytes, png_bytes
from sejour.rules.services import document_requirements

PERSONAL = {
    "last_name": "Diallo",
    "first_names": "Amina",
    "birth_date": "2001-04-12",
    "birth_place": "Dakar (Sénégal)",
    "nationality": "sénégalaise",
    "address": "12 rue Oberkampf",
    "postcode": "75011",
    "city": "Paris",
    "phone": "06 12 34 56 78",
}
MOTIVE = {
    "student": {
        "institution": "Sorbonne Université",
        "level": "master",
        "programme": "Master de chimie",
    },
    "talent": {"category": "researcher", "employer": "CNRS", "annual_salary": "42000"},
    "talent_family": {
        "holder_last_name": "Pereira",
        "holder_first_names": "Lucas",
        "holder_number": "6901000002",
        "link": "spouse",
    },
    "visitor": {"no_work_commitment": "on", "plans": "Voir ma famille"},
}
RESOURCES = {"monthly_amount": "900", "sources": ["scholarship", "family"], "details": ""}


def step_url(application, slug):
    return reverse("applications:step", args=[application.reference, slug])


def start(client, motive="student") -> Application:
    response = client.post(reverse("applications:presentation", args=[motive]))
    assert response.status_code == 302, response
    return Application.objects.filter(motive=motive).latest("created_at")


def fill_until_documents(client, application):
    assert client.post(step_url(application, "personal"), PERSONAL).status_code == 302
    assert (
        client.post(step_url(application, "motive"), MOTIVE[application.motive]).status_code == 302
    )
    if application.motive in ("student", "visitor"):
        assert client.post(step_url(application, "resources"), RESOURCES).status_code == 302


def upload(client, application, code, content=None, name="scan.png", is_letter=False):
    data = {
        f"{code}-file": SimpleUploadedFile(name, content if content is not None else png_bytes())
    }
    if is_letter:
        data[f"{code}-is_letter"] = "on"
    return client.post(
        reverse("applications:file_upload", args=[application.reference, code]), data
    )


def attach_required_documents(client, application):
    for requirement in document_requirements(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    ):
        if requirement.required:
            content, name = (
                (pdf_bytes(), "doc.pdf") if requirement.order % 20 else (png_bytes(), "doc.png")
            )
            response = upload(client, application, requirement.code, content, name)
            assert response.status_code == 302, response.content.decode()[:3000]


def give_ephoto(client, application, code):
    return client.post(reverse("applications:ephoto", args=[application.reference]), {"code": code})


def file_complete_application(client, application, ephoto_code, capture=None):
    fill_until_documents(client, application)
    attach_required_documents(client, application)
    assert give_ephoto(client, application, ephoto_code).status_code == 302
    assert client.post(step_url(application, "documents")).status_code == 302
    assert client.post(step_url(application, "summary")).status_code == 302
    mail.outbox.clear()
    return client.post(step_url(application, "confirmation"), {"certify": "on"})
