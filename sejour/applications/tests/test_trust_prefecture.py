"""Issue 17, item 2: after filing, only a declared change of address moves an
application to another prefecture; a correction of the postcode cannot."""

import pytest
from django.core import mail
from django.urls import reverse

from sejour.applications import services
from sejour.applications.models import Status
from sejour.audit.models import AuditEvent
from sejour.instruction import services as instruction
from sejour.notifications.models import OutboxMessage

from .helpers import PERSONAL, step_url
from .test_changes import NEW_ADDRESS, declare_address
from .test_submission import ready_to_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clamd", "media_root")]
MOVED_TO_LYON = {**PERSONAL, "address": "3 rue Neuve", "postcode": "69003", "city": "Lyon"}


@pytest.fixture
def under_instruction(applicant, agent_paris, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    instruction.instruction_start(application=application, by=agent_paris)
    application.refresh_from_db()
    assert application.status == Status.UNDER_INSTRUCTION
    return application


def test_correcting_the_postcode_to_another_departement_is_refused_next_to_the_field(
    client, applicant, under_instruction
):
    application = under_instruction
    client.force_login(applicant)
    response = client.post(step_url(application, "personal"), MOVED_TO_LYON)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["postcode"]
    assert f"stays with the {application.prefecture.name}:" in errors["postcode"][0]
    assert "it was 75011" in errors["postcode"][0]
    page = response.content.decode()
    # A link to the procedure that does move applications, next to the field.
    assert f'<a href="{reverse("changes:address")}">Declare a change of address</a>' in page
    # What the person typed is still there to fix, nothing is lost.
    assert 'value="3 rue Neuve"' in page and 'value="69003"' in page
    application.refresh_from_db()
    assert application.prefecture.department_code == "75"
    assert application.answers["personal"]["postcode"] == "75011"
    assert not AuditEvent.objects.filter(
        application=application, action__in=("application.corrected", "application.moved")
    ).exists()


def test_the_refusal_is_translated(client, applicant, under_instruction):
    client.force_login(applicant)
    client.cookies["django_language"] = "fr"
    response = client.post(
        step_url(under_instruction, "personal"), MOVED_TO_LYON, HTTP_ACCEPT_LANGUAGE="fr"
    )
    error = response.context["form"].errors["postcode"][0]
    assert "Votre demande reste" in error and "changement d’adresse" in error.lower()


def test_the_service_refuses_too_whoever_calls_it(applicant, under_instruction):
    with pytest.raises(services.ApplicationError) as refused:
        services.application_correct(
            application=under_instruction, step="personal", data=MOVED_TO_LYON, by=applicant
        )
    assert refused.value.field == "postcode"
    under_instruction.refresh_from_db()
    assert under_instruction.prefecture.department_code == "75"


def test_a_postcode_corrected_within_the_departement_is_saved_and_keeps_the_prefecture(
    client, applicant, agent_paris, agent_client, under_instruction
):
    application = under_instruction
    client.force_login(applicant)
    response = client.post(
        step_url(application, "personal"), {**PERSONAL, "postcode": "75012", "phone": ""}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.answers["personal"]["postcode"] == "75012"
    assert application.prefecture.department_code == "75"
    event = AuditEvent.objects.get(application=application, action="application.corrected")
    assert event.data["changes"]["postcode"] == ["75011", "75012"]
    # The competent agents keep it.
    agent = agent_client(agent_paris)
    url = reverse("instruction:application", args=[application.reference])
    assert agent.get(url).status_code == 200


def test_after_filing_the_form_says_how_to_report_a_move(client, applicant, under_instruction):
    client.force_login(applicant)
    page = client.get(step_url(under_instruction, "personal")).content.decode()
    assert "declare a change of address instead" in page
    assert "This address decides your prefecture." not in page


def test_only_a_change_of_address_moves_an_application_and_the_person_is_told(
    client, applicant, agent_rhone, agent_client, under_instruction
):
    application = under_instruction
    client.force_login(applicant)
    mail.outbox.clear()
    declaration = declare_address(client, applicant, new_card=False)
    application.refresh_from_db()
    assert application.prefecture.department_code == "69"
    moved = AuditEvent.objects.get(application=application, action="application.moved")
    assert moved.data["address_change"] == declaration.reference
    told = OutboxMessage.objects.get(recipient=applicant.email, subject__contains="Rhône")
    assert application.reference in told.body and declaration.reference in told.body
    history = client.get(reverse("applications:detail", args=[application.reference]))
    assert "Sent to the Préfecture du Rhône after your change of address" in (
        history.content.decode()
    )
    assert "application.moved" not in history.content.decode()
    rhone = agent_client(agent_rhone)
    assert (
        rhone.get(reverse("instruction:application", args=[application.reference])).status_code
        == 200
    )


def test_a_declared_new_address_cannot_be_corrected_into_another_departement(client, applicant):
    client.force_login(applicant)
    declaration = declare_address(client, applicant, new_card=False)
    assert declaration.prefecture.department_code == "69"
    response = client.post(
        step_url(declaration, "personal"), {**NEW_ADDRESS, "postcode": "13001", "city": "Marseille"}
    )
    error = response.context["form"].errors["postcode"][0]
    assert "withdraw this declaration and declare your new address again" in error
    declaration.refresh_from_db()
    assert declaration.prefecture.department_code == "69"
