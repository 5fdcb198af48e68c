"""Journey: a change of address; then a loss declaration sent to the renewal procedure
because the permit ends within 90 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD, png_bytes

from .helpers import label, log_in_applicant

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def test_change_of_address_and_loss(visit, applicant, registry_person, tmp_path):
    from sejour.conftest import _applicant

    page = visit.new_page()
    log_in_applicant(page, applicant.identifier, PASSWORD)
    page.get_by_role("link", name="I declare a change of situation").click()
    visit.check(page, "changes")
    page.get_by_role("link", name="I have moved").click()
    visit.check(page, "address-presentation")
    page.get_by_role("button", name="I start").click()
    page.get_by_label(label("Address in France")).fill("3 rue Mercière")
    page.get_by_label(label("Postcode")).fill("69002")
    page.get_by_label(label("Town")).fill("Lyon")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("No, an attestation is enough").click()
    visit.check(page, "address-card")
    page.get_by_role("button", name="Save and continue").click()
    scan = tmp_path / "bill.png"
    scan.write_bytes(png_bytes())
    for title in ("Proof of your new address", "Your current residence permit"):
        section = page.get_by_role("region", name=__import__("re").compile(title))
        section.get_by_label(label("File")).set_input_files(str(scan))
        section.get_by_role("button", name="Add this file").click()
        page.get_by_text("Your file is added.").wait_for()
    visit.check(page, "address-documents")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Préfecture du Rhône").first.wait_for()
    visit.check(page, "address-summary")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("I certify that the information").click()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_text("Your application is filed.").wait_for()
    declaration = Application.objects.get(applicant=applicant, procedure="address_change")
    assert declaration.status == Status.FILED and declaration.prefecture.department_code == "69"

    # Someone whose permit ends in 40 days declares a loss: sent to the renewal.
    soon = _applicant(
        registry_person, "1300000003", ends_in_days=40, postcode="13001", last_name="Chen"
    )
    other = visit.new_page()
    log_in_applicant(other, soon.identifier, PASSWORD)
    other.get_by_role("link", name="I declare a change of situation").click()
    other.get_by_role("link", name="My permit is lost, stolen or damaged").click()
    other.get_by_role("heading", name="Declare it, then apply for a renewal").wait_for()
    visit.check(other, "loss-redirect")
    # The declaration is recorded first (FAQ), then the renewal follows.
    other.get_by_label("It was stolen").check()
    other.get_by_label(label("When did it happen (or when did you notice it)?")).fill(
        (timezone.localdate() - timedelta(days=1)).isoformat()
    )
    other.get_by_label(label("Where (town)")).fill("Paris")
    other.get_by_role("button", name="Record my declaration and go to the renewal").click()
    other.get_by_role("heading", name="I apply for or renew a residence permit").wait_for()
    assert not Application.objects.filter(applicant=soon, procedure="duplicate").exists()
    assert AuditEvent.objects.filter(actor=soon, action="document.loss_declared").exists()
