"""Regression tests for defects found in review."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.applications import services
from sejour.applications.models import Status
from sejour.applications.tests.helpers import PERSONAL, upload
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.models import Attestation
from sejour.conftest import png_bytes

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_a_deleted_draft_never_reaches_the_prefecture(client, applicant, agent_paris, agent_client):
    client.force_login(applicant)
    application = services.application_start(applicant=applicant, motive="student")
    client.post(reverse("applications:step", args=[application.reference, "personal"]), PERSONAL)
    upload(client, application, "passport", png_bytes())
    services.application_withdraw(application=application, by=applicant, reason="")
    agent = agent_client(agent_paris)
    assert (
        application.reference
        not in agent.get(reverse("instruction:queue") + "?status=withdrawn").content.decode()
    )
    assert (
        agent.get(reverse("instruction:application", args=[application.reference])).status_code
        == 404
    )
    file = application.files.get()
    assert (
        agent.get(
            reverse("applications:file_download", args=[application.reference, file.pk])
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_file_removed_before_sending_stays_private(
    client, applicant, agent_paris, agent_client, ephoto_codes
):
    client.force_login(applicant)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    upload(client, application, "passport", png_bytes(), "wrong-person.png")
    wrong = application.files.get(original_name="wrong-person.png")
    client.post(reverse("applications:file_remove", args=[application.reference, wrong.pk]))
    services.application_submit(application=application, by=applicant)
    from django.test import Client

    agent = agent_client(agent_paris, Client())
    page = agent.get(
        reverse("instruction:application", args=[application.reference])
    ).content.decode()
    assert "wrong-person.png" not in page
    assert (
        agent.get(
            reverse("applications:file_download", args=[application.reference, wrong.pk])
        ).status_code
        == 404
    )
    # The applicant still sees it in their own history.
    assert (
        "wrong-person.png"
        in client.get(reverse("applications:detail", args=[application.reference])).content.decode()
    )


@pytest.mark.django_db
def test_withdrawing_ends_the_adp(applicant, agent_paris, ephoto_codes):
    from django.test import TestCase

    from sejour.instruction import services as instruction
    from sejour.registry.models import ResidenceDocument

    ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
        valid_until=timezone.localdate() + timezone.timedelta(days=5)
    )
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        instruction.instruction_start(application=application, by=agent_paris)
    adp = Attestation.objects.get(application=application, kind="adp")
    application.refresh_from_db()
    services.application_withdraw(application=application, by=applicant, reason="leaving")
    adp.refresh_from_db()
    assert adp.revoked_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", [" ", "a/b", "https://x/verifier/", "https://x/verifier/a/b/", "%00"]
)
def test_verification_form_never_fails(client, code):
    response = client.get(reverse("attestations:verify_form"), {"code": code}, follow=True)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_new_card_choice_cannot_be_changed_after_sending(client, applicant):
    client.force_login(applicant)
    client.post(reverse("changes:address"))
    from sejour.applications.models import Application

    declaration = Application.objects.get(procedure="address_change")
    Application.objects.filter(pk=declaration.pk).update(
        status=Status.FILED,
        filed_at=timezone.now(),
        answers={**declaration.answers, "card": {"new_card": "no"}},
    )
    response = client.post(
        reverse("applications:step", args=[declaration.reference, "card"]), {"new_card": "yes"}
    )
    assert response.url == reverse("applications:detail", args=[declaration.reference])
    declaration.refresh_from_db()
    assert declaration.answers["card"]["new_card"] == "no"


@pytest.mark.django_db
def test_assisted_filing_warns_the_holder_and_cannot_take_their_data(
    registry_person, support_agent, agent_client, applicant
):
    from sejour.notifications.models import OutboxMessage
    from sejour.registry.models import ResidenceDocument

    document = ResidenceDocument.objects.get(person__foreign_number=applicant.identifier)
    support = agent_client(support_agent)
    support.post(
        reverse("support:assistance"),
        {
            "foreign_number": applicant.identifier,
            "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat(),
            "email": "ignored@example.org",
            "consent": "on",
        },
    )
    from sejour.support.tests.test_support import assistance_code

    support.post(reverse("support:assistance"), {"code": assistance_code(applicant.email)})
    assert OutboxMessage.objects.filter(
        recipient=applicant.email, subject__contains="support agent"
    ).exists()
    assert support.get(reverse("accounts:my_data")).status_code == 404
    assert support.get(reverse("accounts:password_change")).status_code == 404
