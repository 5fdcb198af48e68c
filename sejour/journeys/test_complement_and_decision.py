"""Journey: an agent (with the second factor) requests a document; the applicant answers
with a new one; the agent decides; the applicant downloads the ADF and its QR code
checks out on the public verification page."""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sejour.accounts.selectors import certified_identity
from sejour.applications import services as application_services
from sejour.applications.models import Status
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.conftest import PASSWORD, png_bytes

from .helpers import label, log_in_agent, log_in_applicant

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def test_complement_and_decision(visit, applicant, agent_paris, ephoto_codes, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=agent_paris, name="test", key=TOTP_KEY_HEX, confirmed=True)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)

    agent = visit.new_page()
    log_in_agent(agent, "agent.paris", PASSWORD)
    agent.get_by_role("link", name=application.reference).click()
    agent.get_by_role("button", name="Start instruction").click()
    agent.get_by_text("Instruction started.").wait_for()
    requests = agent.get_by_role("region", name="Request documents")
    requests.get_by_role("group", name="Documents not compliant").get_by_text(
        "Passport (identity pages and visas)"
    ).click()
    requests.get_by_label(label("Message to the applicant")).fill(
        "The passport photo page is cut off."
    )
    requests.get_by_label(label("Answer expected by")).fill(
        (timezone.localdate() + timedelta(days=15)).isoformat()
    )
    visit.check(agent, "complement-form")
    requests.get_by_role("button", name="Send the request").click()
    agent.get_by_text("Request sent to the applicant.").wait_for()

    person = visit.new_page()
    log_in_applicant(person, applicant.identifier, PASSWORD)
    person.get_by_role("main").get_by_role("link", name="My applications").click()
    person.get_by_role("link", name=re.compile("Student")).click()
    person.get_by_role("link", name="See the request and answer").click()
    person.get_by_text("The passport photo page is cut off.").wait_for()
    visit.check(person, "complement-answer")
    scan = tmp_path / "passport.png"
    scan.write_bytes(png_bytes((120, 80)))
    section = person.get_by_role("region", name=re.compile("Passport"))
    section.get_by_label(label("File")).set_input_files(str(scan))
    section.get_by_role("button", name="Add this file").click()
    person.get_by_text("Your file is added.").wait_for()
    person.get_by_role("button", name="Send my answer to the prefecture").click()
    person.get_by_text("Your answer is sent.").wait_for()

    agent.reload()
    agent.get_by_text("passport.png").first.wait_for()
    decide = agent.get_by_role("region", name="Record the decision")
    decide.get_by_text("Favourable", exact=True).click()
    decide.get_by_label(label("Reasons")).fill("Conditions of the student permit are met.")
    visit.check(agent, "decision-form")
    decide.get_by_role("button", name="Record the decision").click()
    agent.get_by_text("Decision recorded.").wait_for()
    application.refresh_from_db()
    assert application.status == Status.DECISION_TAKEN

    person.reload()
    visit.check(person, "application-with-adf")
    with person.expect_download() as download:
        person.get_by_role("link", name=re.compile("Attestation of a favourable decision")).click()
    with open(download.value.path(), "rb") as file:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(file.read())).pages)
    # The address printed under the QR code may wrap over several lines.
    token = re.sub(r"\s", "", re.search(r"/verifier/([A-Za-z0-9_\-.\s]+)/", text).group(1))

    employer = visit.new_page()
    employer.goto(f"/verifier/{token}/")
    employer.get_by_role("heading", name="Genuine and valid today").wait_for()
    visit.check(employer, "verification")
    # The registry's identity behind the account, and only the number's last digits.
    identity = certified_identity(application=application)
    assert identity.full_name in employer.content()
    assert identity.masked_number in employer.content()
    assert identity.number not in employer.content()
