"""Journey: file an application with uploads and an e-photo code, stop after step 3,
come back in a new browser, finish, download the attestation of filing."""

import pytest

from sejour.applications.models import Application, Status
from sejour.conftest import PASSWORD, pdf_bytes, png_bytes
from sejour.rules.services import document_requirements

from .helpers import label

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def log_in(page, identifier):
    page.goto("/connexion/")
    page.get_by_label(label("Foreign-national number")).fill(identifier)
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My space").wait_for()


def test_file_an_application(visit, applicant, ephoto_codes, tmp_path):
    page = visit.new_page()
    log_in(page, applicant.identifier)
    page.get_by_role("link", name="I apply for or renew a residence permit").first.click()
    visit.check(page, "chooser")
    page.get_by_label("Student", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    visit.check(page, "presentation")
    page.get_by_role("button", name="I start").click()

    # Step 1: prefilled from the registry; add a phone number.
    page.get_by_role("heading", name="Personal information").wait_for()
    page.get_by_label(label("Mobile phone number")).fill("06 12 34 56 78")
    visit.check(page, "step-personal")
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: a mistake first, then the right answer.
    page.get_by_label(label("School or university")).fill("Sorbonne Université")
    page.get_by_label(label("Programme or diploma prepared")).fill("Master de chimie")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("alert").wait_for()
    visit.check(page, "step-motive-error")
    page.get_by_label(label("Level of studies")).select_option("master")
    page.get_by_role("button", name="Save and continue").click()

    # Step 3: resources.
    page.get_by_label(label("Your resources per month")).fill("900")
    page.get_by_label("Scholarship").check()
    visit.check(page, "step-resources")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Supporting documents").wait_for()

    # Leave, and come back in another browser.
    page.context.close()
    page = visit.new_page()
    log_in(page, applicant.identifier)
    page.get_by_role("main").get_by_role("link", name="My applications").click()
    page.get_by_role("link", name="Student — Renewal").click()
    page.get_by_text("Step 4 of 6").wait_for()
    visit.check(page, "step-documents")

    png, pdf = tmp_path / "scan.png", tmp_path / "scan.pdf"
    png.write_bytes(png_bytes())
    pdf.write_bytes(pdf_bytes())
    application = Application.objects.get(applicant=applicant)
    for index, requirement in enumerate(
        r
        for r in document_requirements(
            motive="student", procedure="renewal", on=application.created_at.date()
        )
        if r.required
    ):
        section = page.get_by_role("region", name=requirement.label_en)
        section.get_by_label(label("File")).set_input_files(str(png if index % 2 else pdf))
        section.get_by_role("button", name="Add this file").click()
        page.get_by_text("Your file is added.").wait_for()
    page.get_by_label(label("E-photo code")).fill(ephoto_codes["valid"])
    page.get_by_role("button", name="Check this code").click()
    page.get_by_text("Your e-photo code is accepted.").wait_for()
    visit.check(page, "step-documents-done")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("heading", name="Summary").wait_for()
    visit.check(page, "step-summary")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("I certify that the information").click()
    visit.check(page, "step-confirmation")
    page.get_by_role("button", name="Send my application").click()

    page.get_by_text("Your application is filed.").wait_for()
    visit.check(page, "application")
    application.refresh_from_db()
    assert application.status == Status.FILED
    with page.expect_download() as download:
        page.get_by_role("link", name="Attestation of filing").click()
    path = download.value.path()
    with open(path, "rb") as file:
        assert file.read(5) == b"%PDF-"
