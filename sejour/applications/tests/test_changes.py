"""Changes of situation: a new address (with or without a new card), and a lost,
stolen or damaged permit (SPEC §5)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.applications import services
from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.conftest import png_bytes
from sejour.instruction import services as instruction
from sejour.registry.models import ResidenceDocument

from .helpers import PERSONAL, give_ephoto, step_url, upload
from .test_submission import ready_to_submit

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
NEW_ADDRESS = {**PERSONAL, "address": "3 rue Mercière", "postcode": "69002", "city": "Lyon"}


def declare_address(client, applicant, new_card: bool, ephoto=None):
    response = client.post(reverse("changes:address"))
    application = Application.objects.filter(
        applicant=applicant, procedure="address_change"
    ).latest("created_at")
    assert response.url == step_url(application, "personal")
    assert client.post(step_url(application, "personal"), NEW_ADDRESS).status_code == 302
    assert (
        client.post(
            step_url(application, "card"), {"new_card": "yes" if new_card else "no"}
        ).status_code
        == 302
    )
    for code in ("new_address_proof", "current_card_both_sides"):
        assert upload(client, application, code, png_bytes()).status_code == 302
    if new_card:
        assert give_ephoto(client, application, ephoto).status_code == 302
    assert client.post(step_url(application, "documents")).url == step_url(application, "summary")
    client.post(step_url(application, "summary"))
    response = client.post(step_url(application, "confirmation"), {"certify": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    return application


@pytest.mark.django_db
def test_address_change_to_another_departement_moves_open_applications(
    client, applicant, agent_paris, agent_client, ephoto_codes
):
    permit_application = ready_to_submit(applicant, ephoto_codes["valid"])
    services.application_submit(application=permit_application, by=applicant)
    permit_application.refresh_from_db()
    assert permit_application.prefecture.department_code == "75"

    client.force_login(applicant)
    declaration = declare_address(client, applicant, new_card=False)
    assert declaration.status == Status.FILED
    assert declaration.prefecture.department_code == "69"
    permit_application.refresh_from_db()
    assert permit_application.prefecture.department_code == "69"
    moved = AuditEvent.objects.get(application=permit_application, action="application.moved")
    assert moved.data["from"] == "75" and moved.data["to"] == "69"
    # It left the Paris queue for the Rhône one.
    paris = agent_client(agent_paris)
    assert (
        permit_application.reference not in paris.get(reverse("instruction:queue")).content.decode()
    )


@pytest.mark.django_db
def test_address_change_without_a_card_ends_with_a_verifiable_attestation(
    client, applicant, agent_rhone, ephoto_codes
):
    client.force_login(applicant)
    declaration = declare_address(client, applicant, new_card=False)
    assert declaration.ephoto_code == ""  # no card, no photo
    from django.test import TestCase

    instruction.instruction_start(application=declaration, by=agent_rhone)
    with TestCase.captureOnCommitCallbacks(execute=True):
        instruction.decision_record(
            application=declaration, favourable=True, reasons="Address checked.", by=agent_rhone
        )
    attestation = Attestation.objects.get(application=declaration, kind=Attestation.Kind.ADDRESS)
    assert attestation.data["address"]["city"] == "Lyon"
    assert attestation.file.read().startswith(b"%PDF-")
    assert not Attestation.objects.filter(application=declaration, kind__in=("adp", "adf")).exists()
    declaration.refresh_from_db()
    with pytest.raises(services.ApplicationError):
        instruction.permit_mark_made(application=declaration, by=agent_rhone)


@pytest.mark.django_db
def test_address_change_with_a_new_card_needs_an_ephoto_and_is_paid(
    client, applicant, agent_rhone, ephoto_codes
):
    client.force_login(applicant)
    declaration = declare_address(client, applicant, new_card=True, ephoto=ephoto_codes["valid"])
    instruction.instruction_start(application=declaration, by=agent_rhone)
    instruction.decision_record(
        application=declaration, favourable=True, reasons="ok", by=agent_rhone
    )
    declaration.refresh_from_db()
    assert instruction.amount_due(declaration).total_cents == 5000  # the manufacturing stamp duty
    instruction.permit_mark_made(application=declaration, by=agent_rhone)


@pytest.mark.django_db
def test_rule_address_attestation_also_when_a_new_card_is_ordered(
    client, applicant, agent_rhone, ephoto_codes
):
    """FAQ: "une attestation sera mise à votre disposition ... après instruction",
    whether or not the person asked for a new card."""
    from django.test import TestCase

    client.force_login(applicant)
    declaration = declare_address(client, applicant, new_card=True, ephoto=ephoto_codes["valid"])
    instruction.instruction_start(application=declaration, by=agent_rhone)
    with TestCase.captureOnCommitCallbacks(execute=True):
        instruction.decision_record(
            application=declaration, favourable=True, reasons="ok", by=agent_rhone
        )
    attestation = Attestation.objects.get(application=declaration, kind=Attestation.Kind.ADDRESS)
    assert attestation.data["address"]["city"] == "Lyon"
    # The card still follows.
    declaration.refresh_from_db()
    instruction.permit_mark_made(application=declaration, by=agent_rhone)


@pytest.mark.django_db
def test_short_permit_says_the_declaration_is_optional(client, registry_person):
    from sejour.conftest import _applicant

    short = _applicant(registry_person, "7500000701", starts_in_days=-100, ends_in_days=200)
    client.force_login(short)
    assert "not compulsory" in client.get(reverse("changes:address")).content.decode()


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "short"),
    [
        ("2026-09-01", "2027-08-31", False),  # a one-year card: 364 days apart
        ("2026-09-01", "2027-08-30", True),
        ("2026-09-01", "2027-09-01", False),
        ("2028-02-29", "2029-02-27", False),  # a leap day counts to 28 February
        ("2028-02-29", "2029-02-26", True),
        ("2026-01-01", "2026-07-01", True),
    ],
)
def test_rule_address_under_1_year_counts_calendar_years(valid_from, valid_until, short):
    from datetime import date

    assert (
        services.valid_for_less_than_a_year(
            date.fromisoformat(valid_from), date.fromisoformat(valid_until)
        )
        is short
    )


@pytest.mark.django_db
def test_rule_address_under_1_year_one_year_card_must_declare(client, registry_person):
    from sejour.conftest import _applicant

    holder = _applicant(registry_person, "7500000702", starts_in_days=-100, ends_in_days=200)
    document = ResidenceDocument.objects.get(person__foreign_number="7500000702")
    document.valid_until = document.valid_from.replace(
        year=document.valid_from.year + 1
    ) - timedelta(days=1)
    document.save()
    assert (document.valid_until - document.valid_from).days in (364, 365)
    client.force_login(holder)
    assert "not compulsory" not in client.get(reverse("changes:address")).content.decode()


@pytest.mark.django_db
def test_visa_holders_cannot_declare_a_change(client, registry_person):
    from sejour.accounts.models import User
    from sejour.registry.models import DocumentKind

    registry_person(kind=DocumentKind.VLS, number="123456789")
    holder = User.objects.create_user(None, email="v@example.org", visa_number="123456789")
    client.force_login(holder)
    page = client.get(reverse("changes:address")).content.decode()
    assert "You need a valid residence permit" in page
    client.post(reverse("changes:address"))
    assert not Application.objects.filter(applicant=holder).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("days_left", "redirected"), [(89, True), (90, False)])
def test_rule_duplicate_under_90_days_declares_then_goes_to_renewal(
    client, applicant, days_left, redirected
):
    today = timezone.localdate() + timedelta(days=400)
    ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
        valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=days_left)
    )
    client.force_login(applicant)
    when = (today - timedelta(days=2)).isoformat()
    with time_machine.travel(
        datetime.combine(today, datetime.min.time()).replace(hour=12), tick=False
    ):
        client.force_login(applicant)
        page = client.get(reverse("changes:loss")).content.decode()
        if redirected:
            future = (today + timedelta(days=2)).isoformat()
            bad = client.post(
                reverse("changes:loss"), {"what": "theft", "when": future, "where": "Paris"}
            )
            assert "This date is in the future." in bad.content.decode()
            assert not AuditEvent.objects.filter(action="document.loss_declared").exists()
        response = client.post(
            reverse("changes:loss"), {"what": "theft", "when": when, "where": "Paris"}
        )
    if redirected:
        assert "Declare it, then apply for a renewal" in page
        assert "the loss is taken into account" not in page
        assert response.url == reverse("applications:new")
        event = AuditEvent.objects.get(action="document.loss_declared")
        assert event.data["what"] == "theft" and event.data["when"] == when
        assert event.actor == applicant
        assert not Application.objects.filter(procedure="duplicate").exists()
    else:
        assert "Declare it, then apply for a renewal" not in page
        assert response.status_code == 302
        assert Application.objects.filter(procedure="duplicate").exists()
        assert not AuditEvent.objects.filter(action="document.loss_declared").exists()


@pytest.mark.django_db
def test_stolen_permit_needs_the_police_report(client, applicant, ephoto_codes):
    client.force_login(applicant)
    client.post(reverse("changes:loss"))
    declaration = Application.objects.get(procedure="duplicate")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(
        step_url(declaration, "declaration"), {"what": "theft", "when": future, "where": "Paris"}
    )
    assert "This date is in the future." in str(response.context["form"].errors["when"])
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert (
        client.post(
            step_url(declaration, "declaration"),
            {"what": "theft", "when": yesterday, "where": "Paris"},
        ).status_code
        == 302
    )
    client.post(step_url(declaration, "personal"), PERSONAL)
    for code in ("identity_document", "proof_of_address_duplicate"):
        upload(client, declaration, code, png_bytes())
    give_ephoto(client, declaration, ephoto_codes["valid"])
    response = client.post(step_url(declaration, "documents"))
    assert "Police report of the theft" in response.content.decode()
    upload(client, declaration, "police_report", png_bytes())
    assert client.post(step_url(declaration, "documents")).url == step_url(declaration, "summary")
    client.post(step_url(declaration, "summary"))
    client.post(step_url(declaration, "confirmation"), {"certify": "on"})
    declaration.refresh_from_db()
    assert declaration.status == Status.FILED
    # A student's duplicate: the reduced tax (50 €) and the stamp duty (50 €); never "late".
    assert instruction.amount_due(declaration).total_cents == 10000
    assert not declaration.late


@pytest.mark.django_db
def test_outsiders_cannot_touch_a_declaration(
    client, applicant, other_applicant, agent_paris, agent_client
):
    client.force_login(applicant)
    client.post(reverse("changes:address"))
    declaration = Application.objects.get(procedure="address_change")
    client.force_login(other_applicant)
    assert client.get(step_url(declaration, "personal")).status_code == 404
    assert client.post(step_url(declaration, "card"), {"new_card": "no"}).status_code == 404
    agent = agent_client(agent_paris)
    assert (
        agent.get(reverse("instruction:application", args=[declaration.reference])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_draft_declaration_and_a_permit_application_stay_apart(client, applicant):
    client.force_login(applicant)
    client.post(reverse("changes:address"))
    client.post(reverse("applications:presentation", args=["student"]))
    procedures = sorted(
        Application.objects.filter(applicant=applicant).values_list("procedure", flat=True)
    )
    assert procedures == ["address_change", "renewal"]


def test_rule_permit_available_sms_the_mobile_field_says_what_happens_without_it():
    """The 'permit available' SMS needs the mobile number: the field says it is
    optional, what it is for, and how a person without one is told."""
    from sejour.applications.forms import PersonalForm

    help_text = str(PersonalForm().fields["phone"].help_text)
    assert "text message when your permit is ready" in help_text
    assert "Without it, you are told only by e-mail and in your space." in help_text


@pytest.mark.django_db
def test_rule_duplicate_under_90_days_the_declaration_reaches_the_renewal(
    applicant, other_applicant
):
    """The loss or theft declared before the renewal is shown with the renewal that
    follows, to the prefecture examining it and to the person: a stolen card is
    declared to someone. Only the declaration of this person's card is shown."""
    from sejour.applications.selectors import staff_history, timeline

    label = "Loss, theft or damage of the permit declared"
    for person in (applicant, other_applicant):
        ResidenceDocument.objects.filter(person__foreign_number=person.identifier).update(
            valid_until=timezone.localdate() + timedelta(days=50)
        )
    answers = {"what": "theft", "when": timezone.localdate().isoformat(), "where": "Lyon"}
    services.loss_declare_before_renewal(applicant=other_applicant, answers=answers)
    before = services.application_start(applicant=applicant, motive="student")
    assert label not in [line["label"] for line in staff_history(before)]
    services.loss_declare_before_renewal(
        applicant=applicant, answers={**answers, "circumstances": "Bag snatched"}
    )
    renewal = services.application_start(applicant=applicant, motive="student")
    assert renewal == before  # the draft already started
    staff = [line for line in staff_history(renewal) if line["label"] == label]
    assert len(staff) == 1 and staff[0]["event"].reason == "Bag snatched"
    assert staff[0]["event"].data["what"] == "theft"
    assert [line["label"] for line in timeline(renewal)].count(label) == 1
