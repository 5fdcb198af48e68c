"""The whole life of an application, from filing to handover, through the agents'
back-office and the applicant's account (SPEC §4)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications import services as application_services
from sejour.applications.models import Application, Status
from sejour.applications.tests.helpers import upload
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.conftest import outbox_text, png_bytes
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind, TaxStamp

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


def action(client, application, name, data=None):
    return client.post(
        reverse("instruction:action", args=[application.reference, name]), data or {}
    )


def stamps(*amounts_euros, start=9000000000000001):
    numbers = []
    for index, euros in enumerate(amounts_euros):
        number = str(start + index)
        TaxStamp.objects.create(
            number=number, amount_cents=euros * 100, bought_at=timezone.now() - timedelta(days=2)
        )
        numbers.append(number)
    return numbers


def filed_application(user, ephoto_code, capture):
    application = ready_to_submit(user, ephoto_code)
    with capture(execute=True):
        application_services.application_submit(application=application, by=user)
    application.refresh_from_db()
    return application


@pytest.fixture(params=["permit holder", "visa holder"])
def holder(request, registry_person):
    """A person who renews a permit, or who files a first application with a visa."""
    if request.param == "permit holder":
        return request.getfixturevalue("applicant"), 100  # 50 € student renewal + 50 € stamp duty
    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-5, ends_in_days=360)
    visa_holder = User.objects.create_user(
        None,
        email="kwame@example.org",
        visa_number="123456789",
        first_names="Kwame",
        last_name="Asante",
    )
    return visa_holder, 150  # 100 € first student permit + 50 € stamp duty


@pytest.mark.django_db
def test_whole_lifecycle(
    client, holder, agent_paris, agent_client, ephoto_codes, django_capture_on_commit_callbacks
):
    from django.test import Client

    applicant, due_euros = holder
    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris, Client())
    person = Client()
    person.force_login(applicant)

    queue = agent.get(reverse("instruction:queue")).content.decode()
    assert application.reference in queue

    # Start instruction.
    with django_capture_on_commit_callbacks(execute=True):
        assert action(agent, application, "start_instruction").status_code == 302
    application.refresh_from_db()
    assert application.status == Status.UNDER_INSTRUCTION
    applicant.refresh_from_db()
    if applicant.visa_number:
        # The visa holder now has a foreign-national number and a temporary password.
        assert applicant.identifier and applicant.must_change_password
        assert OutboxMessage.objects.filter(
            recipient=applicant.email, body__contains=applicant.identifier
        ).exists()
        applicant.must_change_password = False
        applicant.save()
        person.force_login(applicant)  # the new password ended the earlier session

    # Ask for the passport again.
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        response = action(
            agent,
            application,
            "request_complement",
            {
                "not_compliant": ["passport"],
                "message": "The passport scan is blurred.",
                "deadline": deadline,
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.WAITING_APPLICANT
    assert "The passport scan is blurred." in mail.outbox[-1].body
    detail = person.get(
        reverse("applications:detail", args=[application.reference])
    ).content.decode()
    assert "The prefecture asks you for documents." in detail

    # The applicant replaces the passport and answers.
    page = person.get(
        reverse("applications:complement", args=[application.reference])
    ).content.decode()
    assert "The passport scan is blurred." in page
    assert (
        upload(person, application, "passport", png_bytes(), "sharp-passport.png").status_code
        == 302
    )
    response = person.post(reverse("applications:complement", args=[application.reference]))
    assert response.url == reverse("applications:detail", args=[application.reference])
    application.refresh_from_db()
    assert application.status == Status.UNDER_INSTRUCTION
    agent_page = agent.get(
        reverse("instruction:application", args=[application.reference])
    ).content.decode()
    assert "sharp-passport.png" in agent_page and "What changed" in agent_page

    # Favourable decision: an ADF in the account, by e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        response = action(
            agent,
            application,
            "decide",
            {"decision": "favourable", "reasons": "All conditions met."},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.DECISION_TAKEN
    adf = Attestation.objects.get(application=application, kind=Attestation.Kind.ADF)
    assert adf.valid_from == timezone.localdate()
    assert OutboxMessage.objects.filter(attachment=adf.file.name).exists()
    assert (
        adf.number
        in person.get(reverse("applications:detail", args=[application.reference])).content.decode()
    )

    # Permit made: SMS and e-mail with the amount due (50 € student renewal tax + 50 € stamp duty).
    with django_capture_on_commit_callbacks(execute=True):
        assert action(agent, application, "mark_permit_made").status_code == 302
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert sms.recipient == "+33612345678"
    assert str(due_euros) in sms.body and sms.status == OutboxMessage.Status.SENT
    assert str(due_euros) in OutboxMessage.objects.filter(channel="email").latest("id").body

    # Handover with two stamps adding up to the amount due.
    numbers = stamps(due_euros - 50, 50)
    response = action(agent, application, "hand_over", {"stamps": "\n".join(numbers)})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.HANDED_OVER
    assert TaxStamp.objects.filter(number__in=numbers, used_for=application.reference).count() == 2
    adf.refresh_from_db()
    assert adf.revoked_at is not None

    # Every agent action is in the audit trail with who did it.
    actions = list(
        AuditEvent.objects.filter(application=application, actor=agent_paris).values_list(
            "action", flat=True
        )
    )
    for expected in (
        "application.start_instruction",
        "application.request_complement",
        "application.decide",
        "application.mark_permit_made",
        "application.hand_over",
    ):
        assert expected in actions


@pytest.mark.django_db
def test_visa_holder_gets_a_number_when_instruction_starts(
    client,
    registry_person,
    agent_paris,
    agent_client,
    ephoto_codes,
    django_capture_on_commit_callbacks,
):
    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-5, ends_in_days=360)
    visa_holder = User.objects.create_user(
        None,
        email="kwame@example.org",
        visa_number="123456789",
        first_names="Kwame",
        last_name="Asante",
    )
    application = filed_application(
        visa_holder, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    assert application.procedure == "first"
    agent = agent_client(agent_paris)
    with django_capture_on_commit_callbacks(execute=True):
        action(agent, application, "start_instruction")
    visa_holder.refresh_from_db()
    assert visa_holder.identifier and len(visa_holder.identifier) == 10
    email = OutboxMessage.objects.filter(
        recipient="kwame@example.org", body__contains=visa_holder.identifier
    ).get()
    temporary = re.search(r"Temporary password: (\S+)", outbox_text(email)).group(1)

    from django.test import Client

    person = Client()
    response = person.post(
        reverse("accounts:login"), {"identifier": visa_holder.identifier, "password": temporary}
    )
    assert response.status_code == 302
    assert person.get(reverse("applications:dashboard")).url == reverse("accounts:password_change")


@pytest.mark.django_db
def test_refused_application_gets_a_letter_with_its_reasons(
    applicant, agent_paris, agent_client, ephoto_codes, django_capture_on_commit_callbacks
):
    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris)
    action(agent, application, "start_instruction")
    response = action(agent, application, "decide", {"decision": "unfavourable", "reasons": ""})
    assert response.status_code == 400
    assert "reasons" in response.context["decision_form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        action(
            agent,
            application,
            "decide",
            {"decision": "unfavourable", "reasons": "Studies not followed."},
        )
    application.refresh_from_db()
    assert application.decision == "unfavourable"
    letter = Attestation.objects.get(application=application, kind=Attestation.Kind.DECISION)
    assert letter.file.read().startswith(b"%PDF-")
    assert OutboxMessage.objects.filter(attachment=letter.file.name).exists()


@pytest.mark.django_db
def test_a_transition_not_allowed_is_refused_with_a_message(
    applicant, agent_paris, agent_client, ephoto_codes, django_capture_on_commit_callbacks
):
    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris)
    response = action(agent, application, "decide", {"decision": "favourable", "reasons": "ok"})
    assert response.status_code == 409
    assert "This action is not possible" in response.content.decode()
    response = action(agent, application, "hand_over", {"stamps": "1000000000000001"})
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.status == Status.FILED
    # The page offers only what the state machine allows.
    page = agent.get(
        reverse("instruction:application", args=[application.reference])
    ).content.decode()
    assert "Start instruction" in page and "Record the decision" not in page


@pytest.mark.django_db
def test_closing_needs_a_supervisor_a_passed_deadline_and_a_reason(
    applicant,
    agent_paris,
    supervisor_paris,
    agent_client,
    ephoto_codes,
    django_capture_on_commit_callbacks,
):
    import time_machine
    from django.test import Client

    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris, Client())
    action(agent, application, "start_instruction")
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    action(
        agent,
        application,
        "request_complement",
        {"missing": ["passport"], "message": "Send it.", "deadline": deadline},
    )
    assert action(agent, application, "close", {"reason": "No answer."}).status_code == 409
    supervisor = agent_client(supervisor_paris, Client())
    response = action(supervisor, application, "close", {"reason": "No answer."})
    assert "has not passed yet" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=12)):
        supervisor = agent_client(supervisor_paris, Client())  # the earlier session has expired
        response = action(supervisor, application, "close", {"reason": ""})
        assert "reason" in response.context["close_form"].errors
        queue = supervisor.get(
            reverse("instruction:queue") + "?deadline_passed=on"
        ).content.decode()
        assert application.reference in queue
        response = action(supervisor, application, "close", {"reason": "No answer after 10 days."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.CLOSED
    person_client = Client()
    person_client.force_login(applicant)
    detail = person_client.get(
        reverse("applications:detail", args=[application.reference])
    ).content.decode()
    assert "No answer after 10 days." in detail


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("12345", "has 16 digits"),
        ("9999999999999999", "no electronic stamp has this number"),
        ("EXPIRED", "more than 12 months ago"),
        ("USED", "already been used"),
        ("WRONG_AMOUNT", "add up to 200.00 € but 100.00 € is due"),
    ],
)
def test_wrong_stamps_are_refused_clearly(
    applicant,
    agent_paris,
    agent_client,
    ephoto_codes,
    django_capture_on_commit_callbacks,
    entry,
    message,
):
    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris)
    action(agent, application, "start_instruction")
    action(agent, application, "decide", {"decision": "favourable", "reasons": "ok"})
    action(agent, application, "mark_permit_made")
    if entry == "EXPIRED":
        entry = stamps(100)[0]
        TaxStamp.objects.filter(number=entry).update(bought_at=timezone.now() - timedelta(days=400))
    elif entry == "USED":
        entry = stamps(100)[0]
        TaxStamp.objects.filter(number=entry).update(used_at=timezone.now())
    elif entry == "WRONG_AMOUNT":
        entry = stamps(200)[0]
    response = action(agent, application, "hand_over", {"stamps": entry})
    assert response.status_code == 400
    assert message in str(response.context["hand_over_form"].errors["stamps"])
    application.refresh_from_db()
    assert application.status == Status.PERMIT_AVAILABLE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_desks_using_one_stamp_at_once_only_one_succeeds(
    applicant, other_applicant, agent_paris, ephoto_codes
):
    import threading

    from django.db import connection

    from sejour.instruction import services

    applications = []
    for user, code in (
        (applicant, ephoto_codes["valid"]),
        (other_applicant, ephoto_codes["valid2"]),
    ):
        application = ready_to_submit(user, code)
        application_services.application_submit(application=application, by=user)
        application.refresh_from_db()
        Application.objects.filter(pk=application.pk).update(prefecture=agent_paris.prefecture)
        application.refresh_from_db()
        services.instruction_start(application=application, by=agent_paris)
        services.decision_record(
            application=application, favourable=True, reasons="ok", by=agent_paris
        )
        services.permit_mark_made(application=application, by=agent_paris)
        application.refresh_from_db()
        applications.append(application)
    number = stamps(100)[0]
    barrier = threading.Barrier(2)
    outcomes = []

    def desk(application):
        try:
            barrier.wait()
            services.permit_hand_over(
                application=application, stamp_numbers=[number], by=agent_paris
            )
            outcomes.append("handed over")
        except Exception as error:  # noqa: BLE001 — reported in the assertion below
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("handed over") == 1, outcomes
    assert "already been used" in next(o for o in outcomes if o != "handed over")
    assert Application.objects.filter(status=Status.HANDED_OVER).count() == 1
