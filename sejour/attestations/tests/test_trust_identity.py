"""Issue 17, item 1: attestations, their QR codes and the public verification page
certify the national registry's person behind the account, never typed answers."""

import re
from datetime import date, timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from sejour.accounts.models import User
from sejour.accounts.selectors import certified_identity
from sejour.applications import services as application_services
from sejour.applications.tests.helpers import PERSONAL, step_url
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations import signing
from sejour.attestations.models import Attestation
from sejour.attestations.services import (
    IdentityUnknown,
    attestation_filing_issue,
    coverage_ensure_all,
)
from sejour.attestations.tests.test_coverage_and_verification import (
    at,
    pdf_text,
    under_instruction,
)
from sejour.audit.models import AuditEvent
from sejour.instruction.models import IdentityReview
from sejour.registry.models import DocumentKind, Person, ResidenceDocument

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clamd", "media_root")]

IMPOSTOR = {**PERSONAL, "last_name": "Martin", "first_names": "Claire", "birth_date": "1980-02-03"}


def verification_path(attestation) -> str:
    text = pdf_text(attestation).replace(" ", "")
    return re.search(r"/verifier/[A-Za-z0-9_\-.]+/", text).group(0)


def token_of(path: str) -> dict:
    return signing.verify(path.rstrip("/").rsplit("/", 1)[1])


def soon_ending(user, days=5):
    ResidenceDocument.objects.filter(person__foreign_number=user.identifier).update(
        valid_until=timezone.localdate() + timedelta(days=days)
    )


def test_a_name_changed_through_correct_my_answers_never_reaches_the_adp_or_the_check_page(
    client, applicant, agent_paris, ephoto_codes
):
    soon_ending(applicant, days=40)  # no ADP needed yet when instruction starts
    registry = Person.objects.get(foreign_number=applicant.identifier)
    client.force_login(applicant)
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    assert not Attestation.objects.filter(kind=Attestation.Kind.ADP).exists()
    # The applicant corrects "their" name and birth date after filing.
    response = client.post(step_url(application, "personal"), IMPOSTOR)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["personal"]["last_name"] == "Martin"

    with at(application.current_document_ends_on - timedelta(days=2)):
        coverage_ensure_all()
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    with translation.override("fr"):
        registry_birth = date_format(registry.birth_date, "j F Y")
    text = pdf_text(adp)
    assert "Amina DIALLO" in text and "Martin" not in text and "Claire" not in text
    assert registry_birth in text and "1980" not in text
    assert adp.holder_name == "Amina DIALLO" and adp.holder_birth_date == registry.birth_date

    # What the QR code signs names the registry's person too.
    path = verification_path(adp)
    payload = token_of(path)
    assert payload["h"] == "Amina DIALLO"
    assert payload["b"] == registry.birth_date.isoformat()
    assert payload["x"] == "••••••0001"

    with at(adp.valid_from):
        page = client.get(path).content.decode()
    assert "Genuine and valid today" in page
    assert "Amina DIALLO" in page and "••••••0001" in page
    assert "Martin" not in page and "Claire" not in page and "1980" not in page
    # The full number, the address and the nationality are not for the employer.
    assert applicant.identifier not in page
    assert "Oberkampf" not in page and "sénégalaise" not in page


def test_the_filing_attestation_prints_the_registry_identity_not_the_wizard_answers(
    applicant, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_step_save(
        application=application, step="personal", data=IMPOSTOR, by=applicant
    )
    application_services.application_submit(application=application, by=applicant)
    filing = attestation_filing_issue(application_id=application.pk)
    text = pdf_text(filing)
    assert "Amina DIALLO" in text and "Martin" not in text and "1980" not in text
    assert applicant.identifier in text  # the holder's own document prints the full number
    assert filing.holder_number == "••••••0001"
    assert filing.holder_number_kind == "foreign_number"


def test_a_visa_holder_is_named_from_the_visa_record_then_from_the_allocated_number(
    client, registry_person, agent_paris, ephoto_codes
):
    registry_person(
        kind=DocumentKind.VLS,
        number="123456789",
        starts_in_days=-300,
        ends_in_days=5,
        last_name="Nguyen",
        first_names="Linh",
    )
    visa_holder = User.objects.create_user(None, email="v@example.org", visa_number="123456789")
    application = ready_to_submit(visa_holder, ephoto_codes["valid"])
    application_services.application_step_save(
        application=application, step="personal", data=IMPOSTOR, by=visa_holder
    )
    application_services.application_submit(application=application, by=visa_holder)
    filing = attestation_filing_issue(application_id=application.pk)
    assert filing.holder_name == "Linh NGUYEN"
    assert filing.holder_number == "•••••6789" and filing.holder_number_kind == "visa"
    page = client.get(verification_path(filing)).content.decode()
    assert "Linh NGUYEN" in page and "•••••6789" in page and "Visa number" in page
    assert "123456789" not in page and "Martin" not in page

    application.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        from sejour.instruction.services import instruction_start

        instruction_start(application=application, by=agent_paris)
    visa_holder.refresh_from_db()
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    assert adp.holder_name == "Linh NGUYEN" and adp.holder_number_kind == "foreign_number"
    assert adp.holder_number.endswith(visa_holder.identifier[-4:])


def test_no_attestation_is_issued_for_an_account_the_registry_does_not_know(
    applicant, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    Person.objects.filter(foreign_number=applicant.identifier).delete()
    with pytest.raises(IdentityUnknown):
        attestation_filing_issue(application_id=application.pk)
    assert not Attestation.objects.exists()


def test_the_certified_identity_is_the_registrys_and_staff_have_none(applicant, agent_paris):
    identity = certified_identity(account=applicant)
    person = Person.objects.get(foreign_number=applicant.identifier)
    assert (identity.last_name, identity.first_names, identity.birth_date) == (
        person.last_name,
        person.first_names,
        person.birth_date,
    )
    assert identity.masked_number == "••••••0001" and identity.full_name == "Amina DIALLO"
    assert certified_identity(account=agent_paris) is None


def test_a_signed_identity_that_differs_from_the_attestation_is_not_genuine(
    client, applicant, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    filing = attestation_filing_issue(application_id=application.pk)
    assert "Genuine" in client.get(verification_path(filing)).content.decode()
    swapped = signing.sign(
        {"n": filing.number, "h": "Claire MARTIN", "b": "1980-02-03", "x": filing.holder_number}
    )
    page = client.get(reverse("attestations:verify", args=[swapped])).content.decode()
    assert "Not genuine" in page and "Claire MARTIN" not in page and "Amina" not in page


def test_an_attestation_issued_before_identities_were_kept_shows_the_registry_identity(
    client, applicant, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    filing = attestation_filing_issue(application_id=application.pk)
    # As such a row was: the typed name, no birth date or number, a token naming it only.
    Attestation.objects.filter(pk=filing.pk).update(
        holder_name="Claire MARTIN", holder_birth_date=None, holder_number="", holder_number_kind=""
    )
    legacy = signing.sign({"n": filing.number})
    page = client.get(reverse("attestations:verify", args=[legacy])).content.decode()
    assert "Genuine" in page and "Amina DIALLO" in page and "••••••0001" in page
    assert "Claire MARTIN" not in page


# The agent's side: a difference to resolve, never printed.


@pytest.fixture
def filed_with_other_identity(applicant, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_step_save(
        application=application, step="personal", data=IMPOSTOR, by=applicant
    )
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    return application


def test_the_agent_sees_the_difference_and_records_which_one_is_right(
    client, agent_client, applicant, agent_paris, filed_with_other_identity
):
    application = filed_with_other_identity
    agent_client(agent_paris)
    url = reverse("instruction:application", args=[application.reference])
    page = client.get(url).content.decode()
    assert "The answers differ from the national file" in page
    assert "Martin" in page and "Diallo" in page  # both, side by side, for the agent
    assert f"{application.reference} — Amina DIALLO" in page

    action = reverse("instruction:action", args=[application.reference, "review_identity"])
    response = client.post(action, {"verdict": "answers_right", "note": ""})
    assert response.status_code == 400
    assert "What you checked" in response.content.decode()
    assert not IdentityReview.objects.exists()

    response = client.post(action, {"verdict": "answers_right", "note": "Passport seen"})
    assert response.status_code == 302
    review = IdentityReview.objects.get()
    assert review.created_by == agent_paris and review.answers["last_name"] == "Martin"
    event = AuditEvent.objects.get(action="application.identity_reviewed")
    assert event.actor == agent_paris and event.reason == "Passport seen"
    assert event.visible_to_applicant is False
    page = client.get(url).content.decode()
    assert "The national file must be corrected" in page and "AGDREF" in page
    assert "Record my finding" not in page

    # A new correction by the applicant opens the question again.
    application_services.application_correct(
        application=application,
        step="personal",
        data={**IMPOSTOR, "first_names": "Claire Anne"},
        by=applicant,
    )
    assert "The answers differ from the national file" in client.get(url).content.decode()

    # Once the national file says the same as the answers, nothing is left to resolve.
    Person.objects.filter(foreign_number=applicant.identifier).update(
        last_name="Martin", first_names="Claire Anne", birth_date=date(1980, 2, 3)
    )
    page = client.get(url).content.decode()
    assert "differ from the national file" not in page and "must be corrected" not in page
    response = client.post(action, {"verdict": "registry_right", "note": "x"})
    assert response.status_code == 400
    assert "nothing to resolve" in response.content.decode()


def test_the_registry_is_right_finding_resolves_the_difference(
    client, agent_client, agent_paris, filed_with_other_identity
):
    application = filed_with_other_identity
    agent_client(agent_paris)
    client.post(
        reverse("instruction:action", args=[application.reference, "review_identity"]),
        {"verdict": "registry_right", "note": "Passport: Amina Diallo"},
    )
    page = client.get(reverse("instruction:application", args=[application.reference]))
    page = page.content.decode()
    assert "Difference resolved: the national file is right" in page
    assert "Passport: Amina Diallo" in page


def test_same_name_in_other_case_or_without_accents_is_no_difference(
    client, agent_client, applicant, agent_paris, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    registry = Person.objects.get(foreign_number=applicant.identifier)
    application_services.application_step_save(
        application=application,
        step="personal",
        data={
            **PERSONAL,
            "last_name": "DIALLO",
            "first_names": "Âmina",
            "birth_date": registry.birth_date.isoformat(),
        },
        by=applicant,
    )
    application_services.application_submit(application=application, by=applicant)
    agent_client(agent_paris)
    page = client.get(reverse("instruction:application", args=[application.reference]))
    assert "differ from the national file" not in page.content.decode()


def test_outsiders_cannot_record_a_finding(
    client, agent_client, applicant, agent_rhone, filed_with_other_identity
):
    application = filed_with_other_identity
    action = reverse("instruction:action", args=[application.reference, "review_identity"])
    data = {"verdict": "registry_right", "note": "x"}
    agent_client(agent_rhone)
    assert client.post(action, data).status_code == 404
    client.force_login(applicant)
    assert client.post(action, data).status_code == 403
    assert not IdentityReview.objects.exists()


def test_a_row_written_outside_django_reads_as_without_a_kept_identity(
    client, applicant, ephoto_codes
):
    from django.db import connection

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO attestations_attestation (number, kind, holder_name, issued_at, file,"
            " application_id, data, revoke_reason) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            ["AT-BULK", "filing", "Claire MARTIN", timezone.now(), "", application.pk, "{}", ""],
        )
    bulk = Attestation.objects.get(number="AT-BULK")
    assert bulk.holder_number == "" and bulk.holder_number_kind == ""
    page = client.get(reverse("attestations:verify", args=[signing.sign({"n": "AT-BULK"})]))
    assert "Amina DIALLO" in page.content.decode() and "Claire" not in page.content.decode()
