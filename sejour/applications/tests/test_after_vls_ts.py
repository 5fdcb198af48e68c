"""The card that follows a validated VLS-TS (decision 0011): asked for like a renewal,
with the renewal tax (the first-permit tax was paid at the validation) and, while it is
examined past the visa's end, the renewal ADP that lets its holder travel."""

import io

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sejour.applications import services
from sejour.applications.tests.helpers import step_url
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.models import Attestation
from sejour.attestations.tests.test_coverage_and_verification import pdf_text, under_instruction
from sejour.conftest import _applicant
from sejour.instruction import services as instruction
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind
from sejour.rules.models import Procedure
from sejour.rules.services import fee_breakdown, procedure_for

pytestmark = pytest.mark.usefixtures("clamd", "media_root")

AFTER_VLS_TS_FEE = (
    "You paid the first-permit tax when you validated your VLS-TS: the card that follows "
    "it is charged the renewal tax."
)


def in_french(text: str) -> str:
    with translation.override("fr"):
        return " ".join(_(text).split())


@pytest.fixture
def vls_ts_holder(registry_person):
    """A student whose validated VLS-TS ends in 10 days: the decision will come after."""
    return _applicant(
        registry_person,
        "3700000004",
        kind=DocumentKind.VLS_TS,
        validated=True,
        ends_in_days=10,
        starts_in_days=-355,
    )


def test_rule_after_vls_ts_the_procedure_is_a_renewal():
    assert procedure_for(DocumentKind.VLS_TS) == Procedure.RENEWAL
    assert procedure_for(DocumentKind.VLS) == Procedure.FIRST
    assert procedure_for(DocumentKind.PERMIT) == Procedure.RENEWAL


@pytest.mark.django_db
def test_rule_after_vls_ts_fee_is_the_renewal_tax(client, vls_ts_holder, ephoto_codes):
    today = timezone.localdate()
    renewal = fee_breakdown(procedure="renewal", motive="student", late=False, on=today)
    first = fee_breakdown(procedure="first", motive="student", late=False, on=today)
    client.force_login(vls_ts_holder)
    page = client.get(reverse("applications:presentation", args=["student"])).content.decode()
    assert AFTER_VLS_TS_FEE in " ".join(page.split())
    assert "<p>Renewal</p>" in page
    application = ready_to_submit(vls_ts_holder, ephoto_codes["valid"])
    assert application.procedure == Procedure.RENEWAL
    assert application.follows_a_vls_ts
    due = instruction.amount_due(application)
    assert due.total_cents == renewal.total_cents
    assert [line.amount_cents for line in due.lines][0] != first.lines[0].amount_cents
    confirmation = client.get(step_url(application, "confirmation")).content.decode()
    assert AFTER_VLS_TS_FEE in " ".join(confirmation.split())
    services.application_submit(application=application, by=vls_ts_holder)
    detail = client.get(reverse("applications:detail", args=[application.reference]))
    assert AFTER_VLS_TS_FEE in " ".join(detail.content.decode().split())


@pytest.mark.django_db
def test_rule_after_vls_ts_the_chooser_says_renewal_and_why(client, vls_ts_holder):
    client.force_login(vls_ts_holder)
    page = " ".join(client.get(reverse("applications:new")).content.decode().split())
    assert "This will be a <strong>Renewal</strong>" in page
    assert (
        "After a VLS-TS, your first card is asked for like a renewal: you pay the renewal "
        "tax (the first-permit tax was paid when you validated your VLS-TS) and, if the "
        "prefecture has not decided when your visa ends, you receive the renewal ADP, "
        "which lets you travel."
    ) in page


@pytest.mark.django_db
def test_rule_after_vls_ts_adp_is_the_renewal_one_that_allows_travel(
    vls_ts_holder, agent_paris, ephoto_codes, django_capture_on_commit_callbacks
):
    application = under_instruction(vls_ts_holder, ephoto_codes["valid"], agent_paris)
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    assert adp.data["procedure"] == "renewal"
    text = pdf_text(adp)
    travel = in_french("It allows travel, and entry into the Schengen area through any border.")
    no_travel = in_french(
        "It does not allow travel: the holder cannot enter the Schengen area with it, "
        "whatever the border."
    )
    vls_ts = in_french(
        "The previous residence permit is the VLS-TS: the long-stay visa in the passport, "
        "with the confirmation of its online validation."
    )
    assert travel[:40] in text and no_travel[:45] not in text
    assert vls_ts[:40] in text
    email = OutboxMessage.objects.filter(recipient=vls_ts_holder.email, attachment__gt="")
    bodies = " ".join(" ".join(m.body.split()) for m in email)
    assert (
        "Together with your previous document (card or visa, even expired), it lets you "
        "travel and come back into the Schengen area."
    ) in bodies


@pytest.mark.django_db
def test_adp_email_of_a_first_application_says_it_does_not_allow_travel(
    registry_person, agent_paris, ephoto_codes
):
    from sejour.accounts.models import User

    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-300, ends_in_days=10)
    visa_holder = User.objects.create_user(None, email="k@example.org", visa_number="123456789")
    application = under_instruction(visa_holder, ephoto_codes["valid"], agent_paris)
    assert application.procedure == Procedure.FIRST
    bodies = " ".join(
        " ".join(m.body.split())
        for m in OutboxMessage.objects.filter(subject__icontains="ADP")
        | OutboxMessage.objects.filter(attachment__gt="", body__icontains="ADP")
    )
    assert (
        "It does not let you travel: you could not come back into the Schengen area with it."
    ) in bodies


@pytest.mark.django_db
def test_rule_after_vls_ts_permit_available_email_says_the_renewal_tax(
    vls_ts_holder, agent_paris, ephoto_codes
):
    application = under_instruction(vls_ts_holder, ephoto_codes["valid"], agent_paris)
    with TestCase.captureOnCommitCallbacks(execute=True):
        instruction.decision_record(
            application=application, favourable=True, reasons="ok", by=agent_paris
        )
    application.refresh_from_db()
    instruction.permit_mark_made(application=application, by=agent_paris)
    email = OutboxMessage.objects.filter(
        recipient=vls_ts_holder.email, channel=OutboxMessage.Channel.EMAIL
    ).latest("id")
    assert AFTER_VLS_TS_FEE in " ".join(email.body.split())


@pytest.mark.django_db
def test_a_permit_holders_renewal_does_not_mention_the_vls_ts(client, applicant, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    assert not application.follows_a_vls_ts
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.reference]))
    assert AFTER_VLS_TS_FEE not in " ".join(page.content.decode().split())


@pytest.mark.django_db
def test_rule_after_vls_ts_simulator_offers_the_renewal_for_the_card_after_a_vls_ts(client):
    page = " ".join(client.get(reverse("core:fees")).content.decode().split())
    assert "Renewal, or first card after a validated VLS-TS" in page
    today = timezone.localdate()
    renewal = fee_breakdown(procedure="renewal", motive="student", late=False, on=today)
    response = client.get(reverse("core:fees"), {"procedure": "renewal", "motive": "student"})
    assert response.context["fees"].total_cents == renewal.total_cents


@pytest.mark.django_db
def test_open_first_applications_after_a_vls_ts_become_renewals_once(
    client, vls_ts_holder, applicant, ephoto_codes
):
    from django.core.management import call_command

    from sejour.applications.models import Application, Status
    from sejour.applications.selectors import timeline
    from sejour.audit.models import AuditEvent

    started_before = ready_to_submit(vls_ts_holder, ephoto_codes["valid"])
    services.application_submit(application=started_before, by=vls_ts_holder)
    decided = services.application_start(applicant=applicant, motive="visitor")
    # As the former rule wrote them: a filed one and one already decided.
    Application.objects.filter(pk=started_before.pk).update(procedure=Procedure.FIRST)
    Application.objects.filter(pk=decided.pk).update(
        procedure=Procedure.FIRST,
        status=Status.DECISION_TAKEN,
        current_document={**decided.current_document, "kind": DocumentKind.VLS_TS},
    )
    call_command("vls_ts_renewals", stdout=io.StringIO())
    call_command("vls_ts_renewals", stdout=io.StringIO())
    started_before.refresh_from_db()
    decided.refresh_from_db()
    assert started_before.procedure == Procedure.RENEWAL
    assert decided.procedure == Procedure.FIRST
    events = AuditEvent.objects.filter(action="application.reclassified")
    assert [event.application_id for event in events] == [started_before.pk]
    labels = [line["label"] for line in timeline(started_before)]
    assert (
        "Now treated as a renewal: the card after a VLS-TS costs the renewal tax, and its "
        "ADP allows travel"
    ) in labels
    due = instruction.amount_due(started_before)
    today = timezone.localdate()
    assert (
        due.total_cents
        == fee_breakdown(
            procedure="renewal", motive="student", late=started_before.late, on=today
        ).total_cents
    )
