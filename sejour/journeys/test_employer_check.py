"""Journey: an employer checks a permit (answered at once, signed PDF), asks about a
document the files cannot settle (answered by the prefecture's agent), and the holder
sees both checks in their space and reports one to support."""

import re

import pytest

from sejour.accounts.models import User
from sejour.conftest import PASSWORD
from sejour.employers.models import CheckRequest, Employer, EmployerMember
from sejour.registry.models import ResidenceDocument
from sejour.support.models import Ticket

from .helpers import label, log_in_agent, log_in_applicant

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _bakery() -> EmployerMember:
    employer = Employer.objects.create(siret="73282932000074", name="Boulangerie Dupain")
    user = User.objects.create_user(
        "E-BAKERY0001", PASSWORD, email="rh@dupain.example", role=User.Role.EMPLOYER,
        first_names="Claire", last_name="Martin",
    )  # fmt: skip
    return EmployerMember.objects.create(
        employer=employer, user=user, email="rh@dupain.example", is_admin=True
    )


def _ask(page, document, *, valid_from=None):
    page.get_by_role("link", name="New check").click()
    page.get_by_label(label("Foreign-national number")).fill(document.person.foreign_number)
    page.get_by_label(label("Start of validity of the document")).fill(
        (valid_from or document.valid_from).isoformat()
    )
    page.get_by_label(label("End of validity of the document")).fill(
        document.valid_until.isoformat()
    )
    page.get_by_label(label("Job start date")).fill(document.valid_from.isoformat())
    page.get_by_label(label("Contract")).select_option("fixed_term")
    page.get_by_role("button", name="Ask for the check").click()


def test_employer_check(visit, applicant, agent_paris, support_agent):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=agent_paris, name="test", key=TOTP_KEY_HEX, confirmed=True)
    _bakery()
    document = ResidenceDocument.objects.get(person__foreign_number=applicant.identifier)

    employer = visit.new_page()
    employer.goto("/employeurs/")
    visit.check(employer, "landing")
    employer.get_by_role("link", name="Log in as an employer").first.click()
    employer.get_by_label(label("Work e-mail address")).fill("rh@dupain.example")
    employer.get_by_label(label("Password")).fill(PASSWORD)
    employer.get_by_role("button", name="Log in").click()
    employer.get_by_role("heading", name="Boulangerie Dupain").wait_for()
    visit.check(employer, "space")

    # The administrator's pages: the team and a token for the payroll software.
    employer.get_by_role("link", name="Team").click()
    employer.get_by_label(label("Your colleague's work e-mail address")).fill("paie@dupain.example")
    employer.get_by_role("button", name="Send the invitation").click()
    employer.get_by_text("An invitation was sent to paie@dupain.example.").wait_for()
    visit.check(employer, "team")
    employer.get_by_role("link", name="API tokens").click()
    employer.get_by_label(label("Name of the token")).fill("Paie")
    employer.get_by_label("Ask for checks").check()
    employer.get_by_role("button", name="Make the token").click()
    employer.get_by_role("heading", name="Your new token").wait_for()
    visit.check(employer, "tokens")
    employer.get_by_role("link", name="Read the API documentation").click()
    employer.get_by_role("heading", name="API documentation for employers").wait_for()
    visit.check(employer, "api-documentation")
    employer.goto("/employeurs/espace/")

    # Bad input first: a clear message next to the field, nothing lost.
    employer.get_by_role("link", name="New check").click()
    employer.get_by_label(label("Foreign-national number")).fill("12AB")
    employer.get_by_role("button", name="Ask for the check").click()
    employer.get_by_text("A foreign-national number has 10 digits").first.wait_for()
    visit.check(employer, "check-form-errors")

    _ask(employer, document)
    employer.get_by_text("Genuine, valid and allows work").first.wait_for()
    employer.get_by_text("Student: at most 964 hours of work a year").wait_for()
    employer.get_by_text("Amina DIALLO").wait_for()
    visit.check(employer, "answer")
    employer.reload()
    with employer.expect_download() as download:
        employer.get_by_role("link", name="Download the signed answer (PDF)").click()
    assert download.value.suggested_filename.startswith("VE-")

    _ask(employer, document, valid_from=document.valid_from.replace(day=1))
    employer.get_by_text("the competent prefecture answers by").wait_for()
    visit.check(employer, "sent-to-prefecture")
    waiting = CheckRequest.objects.get(status=CheckRequest.Status.WAITING_PREFECTURE)

    agent = visit.new_page()
    log_in_agent(agent, "agent.paris", PASSWORD)
    agent.get_by_role("link", name="Employers' checks to answer").click()
    visit.check(agent, "agent-queue")
    agent.get_by_role("link", name=waiting.reference).click()
    agent.get_by_role("group", name=re.compile("Is the document genuine")).get_by_label(
        "Yes"
    ).check()
    agent.get_by_role("group", name=re.compile("valid on the job start")).get_by_label(
        "Yes"
    ).check()
    agent.get_by_role("group", name=re.compile("allow work")).get_by_label("Yes").check()
    agent.get_by_label(label("Valid until")).fill(document.valid_until.isoformat())
    visit.check(agent, "agent-answer")
    agent.get_by_role("button", name="Send the answer").click()
    agent.get_by_text("Your answer is sent to the employer.").wait_for()

    employer.goto(f"/employeurs/verifications/{waiting.reference}/")
    employer.get_by_text("by the prefecture").wait_for()

    holder = visit.new_page()
    log_in_applicant(holder, applicant.identifier, PASSWORD)
    holder.get_by_role("link", name="Employers who checked my documents").click()
    holder.get_by_role("heading", name="Employers who checked my documents").wait_for()
    assert holder.get_by_role("cell", name=re.compile("^Boulangerie Dupain")).count() == 2
    visit.check(holder, "holder-checks")
    holder.get_by_role(
        "link", name="I do not recognise this check by Boulangerie Dupain"
    ).first.click()
    holder.get_by_label(label("What would you like to tell us?")).fill("I never applied there.")
    visit.check(holder, "holder-report")
    holder.get_by_role("button", name="Send to support").click()
    holder.get_by_text("Support has your report").wait_for()
    assert Ticket.objects.get().user == applicant
