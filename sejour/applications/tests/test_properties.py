"""Property-based tests (hypothesis): random sequences of applicant and agent actions
never reach a state the state machine forbids, never lose a document version and
never leave a person without a valid document while a decision is pending, and
keep the dashboard's counters equal to a recount; random
input in every form never answers 500."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sejour.applications import services
from sejour.applications.models import Status
from sejour.applications.states import TRANSITIONS, TransitionNotAllowed
from sejour.attestations.models import Attestation
from sejour.attestations.services import PENDING_DECISION, coverage_ensure
from sejour.audit.models import AuditEvent
from sejour.conftest import png_bytes
from sejour.documents.models import SupportingFile
from sejour.documents.services import file_add, file_remove
from sejour.figures.models import Tally
from sejour.figures.rebuild import tally_counts
from sejour.instruction import services as instruction
from sejour.registry.models import ResidenceDocument

from .test_submission import ready_to_submit

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
ALLOWED_MOVES = {(source, t.target) for t in TRANSITIONS if t.target for source in t.sources}
ACTIONS = [
    "submit",
    "upload",
    "remove",
    "withdraw",
    "start",
    "request",
    "answer",
    "decide_yes",
    "decide_no",
    "permit",
    "hand_over",
    "next_day",
]
QUIET = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Rollback(Exception):
    pass


def act(action, application, applicant, agent, today):
    application.refresh_from_db()
    if action == "submit":
        services.application_submit(application=application, by=applicant, today=today)
    elif action == "upload":
        file_add(
            application=application,
            requirement_code="passport",
            uploaded=SimpleUploadedFile("p.png", png_bytes()),
            is_letter=False,
            by=applicant,
        )
    elif action == "remove":
        current = application.files.filter(removed_at__isnull=True).first()
        if current:
            file_remove(supporting_file=current, by=applicant)
    elif action == "withdraw":
        services.application_withdraw(application=application, by=applicant, reason="")
    elif action == "start":
        instruction.instruction_start(application=application, by=agent)
    elif action == "request":
        instruction.complement_request(
            application=application,
            items=[{"code": "passport", "problem": "missing"}],
            message="Send it",
            deadline=timezone.localdate() + timedelta(days=10),
            by=agent,
        )
    elif action == "answer":
        instruction.complement_answer(application=application, by=applicant)
    elif action in ("decide_yes", "decide_no"):
        instruction.decision_record(
            application=application, favourable=action == "decide_yes", reasons="r", by=agent
        )
    elif action == "permit":
        instruction.permit_mark_made(application=application, by=agent)
    elif action == "hand_over":
        instruction.permit_hand_over(
            application=application, stamp_numbers=["0000000000000000"], by=agent
        )


@pytest.mark.django_db
@QUIET
@given(
    st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=14),
    st.integers(min_value=-10, max_value=30),
)
def test_random_action_sequences_respect_the_rules(
    applicant, agent_paris, ephoto_codes, actions, ends_in
):
    try:
        with transaction.atomic():
            from sejour.registry.models import EphotoCode

            EphotoCode.objects.update(used_at=None)
            ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
                valid_until=timezone.localdate() + timedelta(days=max(ends_in, 1))
            )
            application = ready_to_submit(applicant, ephoto_codes["valid"])
            today = timezone.localdate()
            versions = 0
            # Most lives start with filing and instruction; then anything may happen.
            for action in ["submit", "start", *actions]:
                if action == "next_day":
                    today += timedelta(days=7)
                else:
                    try:
                        with transaction.atomic():
                            act(action, application, applicant, agent_paris, today)
                    except (TransitionNotAllowed, services.ApplicationError):
                        pass
                application.refresh_from_db()
                with transaction.atomic():
                    coverage_ensure(application=application, today=today)
                # Never a move the state machine does not allow.
                for event in AuditEvent.objects.filter(application=application).exclude(
                    to_status=""
                ):
                    if event.from_status:
                        assert (event.from_status, event.to_status) in ALLOWED_MOVES, event.action
                assert application.status in Status.values
                # The dashboard's counters, kept change by change, equal a full recount.
                assert {
                    (t.prefecture_id, t.measure, t.status, t.day): t.count
                    for t in Tally.objects.exclude(count=0)
                } == tally_counts(), actions
                # Never a document version lost: rows only accumulate.
                count = SupportingFile.objects.filter(application=application).count()
                assert count >= versions
                versions = count
                # Never a day without a valid document while a decision is pending.
                if application.status in PENDING_DECISION and application.instruction_started_at:
                    for day in (today, today + timedelta(days=7)):
                        covered = (
                            day <= application.current_document_ends_on
                            or Attestation.objects.filter(
                                application=application,
                                kind=Attestation.Kind.ADP,
                                valid_from__lte=day,
                                valid_until__gte=day,
                                revoked_at__isnull=True,
                            ).exists()
                        )
                        assert covered, (actions, day)
            raise Rollback
    except Rollback:
        pass


FORMS = [
    ("accounts:signup_residence", [], ["foreign_number", "valid_from", "valid_until"]),
    ("accounts:signup_visa", [], ["visa_number", "valid_from", "valid_until"]),
    ("accounts:login", [], ["identifier", "password"]),
    ("accounts:password_reset", [], ["identifier"]),
    ("accounts:visa_login", [], ["visa_number"]),
    ("support:contact", [], ["category", "message", "email", "name", "page_url", "happened_at"]),
    ("instruction:login", [], ["identifier", "password", "code"]),
]


@pytest.mark.django_db
@QUIET
@given(st.sampled_from(FORMS), st.lists(st.text(max_size=300), min_size=8, max_size=8))
def test_public_forms_never_answer_500(applicant, form, values):
    name, args, fields = form
    client = Client()
    response = client.post(reverse(name, args=args), dict(zip(fields, values, strict=False)))
    assert response.status_code < 500


@pytest.mark.django_db
@QUIET
@given(
    st.sampled_from(["personal", "motive", "resources"]),
    st.dictionaries(
        st.sampled_from(
            [
                "last_name",
                "birth_date",
                "postcode",
                "phone",
                "institution",
                "level",
                "monthly_amount",
                "sources",
                "address",
                "programme",
            ]
        ),
        st.one_of(st.text(max_size=200), st.integers().map(str), st.dates().map(str)),
    ),
)
def test_wizard_steps_never_answer_500(applicant, slug, data):
    client = Client()
    client.force_login(applicant)
    application = services.application_start(applicant=applicant, motive="student")
    services.application_step_save(
        application=application,
        step="personal",
        data={"postcode": "75011", "address": "x"},
        by=applicant,
    )
    services.application_step_save(application=application, step="motive", data={}, by=applicant)
    response = client.post(reverse("applications:step", args=[application.reference, slug]), data)
    assert response.status_code < 500


@pytest.mark.django_db
@QUIET
@given(
    st.sampled_from(["request_complement", "decide", "close", "hand_over"]),
    st.dictionaries(
        st.sampled_from(
            [
                "missing",
                "not_compliant",
                "message",
                "deadline",
                "decision",
                "reasons",
                "reason",
                "stamps",
            ]
        ),
        st.text(max_size=120),
    ),
)
def test_agent_actions_never_answer_500(applicant, agent_paris, ephoto_codes, action, data):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    try:
        with transaction.atomic():
            from sejour.registry.models import EphotoCode

            EphotoCode.objects.update(used_at=None)
            application = ready_to_submit(applicant, ephoto_codes["valid"])
            services.application_submit(application=application, by=applicant)
            instruction.instruction_start(application=application, by=agent_paris)
            device, _created = TOTPDevice.objects.get_or_create(
                user=agent_paris, name="p", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
            )
            client = Client()
            client.force_login(agent_paris)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            response = client.post(
                reverse("instruction:action", args=[application.reference, action]), data
            )
            assert response.status_code < 500
            raise Rollback
    except Rollback:
        pass
