"""Every kind of event a person or an agent may read has words, never its code."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sejour.applications import services as application_services
from sejour.applications.models import Status, status_label
from sejour.applications.states import TRANSITIONS
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.audit.labels import EVENT_LABELS, STAFF_LABELS, STEP_NAMES, event_label
from sejour.audit.models import AuditEvent

SOURCE = Path(settings.BASE_DIR) / "sejour"
KIND = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _strings(node) -> set[str]:
    return {
        sub.value
        for sub in ast.walk(node)
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and KIND.match(sub.value)
    }


def recorded_kinds() -> set[str]:
    """Every event kind the code passes to audit_record (tests aside)."""
    kinds = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name.startswith("test_"):
            continue
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and getattr(call.func, "id", getattr(call.func, "attr", "")) == "audit_record"
                ):
                    continue
                for keyword in call.keywords:
                    if keyword.arg != "action":
                        continue
                    if isinstance(keyword.value, ast.JoinedStr):  # f"application.{action}"
                        kinds |= {f"application.{t.action}" for t in TRANSITIONS}
                    elif isinstance(keyword.value, ast.Name):  # action = "..." earlier on
                        for assign in ast.walk(function):
                            if isinstance(assign, ast.Assign) and any(
                                getattr(target, "id", "") == keyword.value.id
                                for target in assign.targets
                            ):
                                kinds |= _strings(assign.value)
                    else:
                        kinds |= _strings(keyword.value)
    return kinds


def test_the_scan_finds_the_kinds_the_code_records():
    kinds = recorded_kinds()
    # One of each way the code names a kind: a literal, a conditional, a variable, an f-string.
    assert {
        "application.step_saved",
        "employer.member_joined",
        "answer_template.changed",
        "application.hand_over",
    } <= kinds
    assert len(kinds) > 40


def test_every_event_kind_the_code_records_has_a_label():
    assert sorted(recorded_kinds() - set(EVENT_LABELS)) == []


def test_staff_labels_only_reword_known_kinds():
    assert set(STAFF_LABELS) <= set(EVENT_LABELS)


@pytest.mark.parametrize("kind", sorted(EVENT_LABELS))
@pytest.mark.parametrize("staff", [False, True])
def test_a_label_is_words_without_the_code(kind, staff):
    event = AuditEvent(
        action=kind,
        data={
            "step": "personal",
            "name": "Passeport recto",
            "number": "ADP-1",
            "side": "applicant",
        },
    )
    label = event_label(event, staff=staff)
    assert label and kind not in label
    assert not re.search(r"\b[a-z]+[._][a-z_]+\b", label), label  # no code, no slug


def test_an_unknown_kind_is_not_shown_as_its_code():
    assert event_label(AuditEvent(action="application.someday")) == "Other event"


@pytest.mark.django_db
def test_every_step_slug_has_a_name():
    from sejour.rules.services import wizard_steps

    for procedure in ("renewal", "first", "address_change", "duplicate"):
        for motive in ("student", "visitor"):
            for step in wizard_steps(motive=motive, on=timezone.localdate(), procedure=procedure):
                assert step.slug in STEP_NAMES


def test_statuses_are_labels_and_the_prefecture_reads_its_own_side():
    assert status_label(Status.FILED) == "Filed"
    assert "from you" in status_label(Status.WAITING_APPLICANT)
    staff = status_label(Status.WAITING_APPLICANT, staff=True)
    assert staff == "Under instruction: documents requested from the applicant"
    assert status_label("vanished") == "Other status"


@pytest.fixture
def filed(applicant, ephoto_codes, django_capture_on_commit_callbacks, clamd, media_root):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    return application


@pytest.mark.django_db
def test_the_applicants_history_names_steps_and_events(client, filed):
    client.force_login(filed.applicant)
    page = client.get(reverse("applications:detail", args=[filed.reference])).content.decode()
    assert "Step saved: Personal information" in page
    assert "Step saved: Project in France" in page
    for code in ("Step saved: personal", "Step saved: motive", "application.", "document."):
        assert code not in page


@pytest.mark.django_db
def test_the_prefectures_history_names_events_and_statuses(filed, agent_paris, agent_client):
    agent = agent_client(agent_paris, Client())
    agent.post(reverse("instruction:action", args=[filed.reference, "start_instruction"]))
    agent.post(
        reverse("instruction:action", args=[filed.reference, "request_complement"]),
        {
            "missing": ["passport"],
            "message": "Envoyez-le.",
            "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        },
    )
    page = agent.get(reverse("instruction:application", args=[filed.reference])).content.decode()
    history = page.split("History (who, when, what, why)")[1]
    assert "Step saved: Personal information" in history
    assert "Application filed (Draft, not sent → Filed)" in history
    assert "(Under instruction → Under instruction: documents requested from the applicant)" in (
        history
    )
    for code in ("application.", "document.", "draft →", "→ filed", "step_saved"):
        assert code not in history
    # The prefecture reads the status from its side, never "requested from you".
    assert "requested from you" not in page
    assert "documents requested from the applicant" in page


@pytest.mark.django_db
def test_the_queue_and_its_filter_speak_from_the_prefectures_side(filed, agent_paris, agent_client):
    filed.status = Status.WAITING_APPLICANT
    filed.save()
    agent = agent_client(agent_paris, Client())
    agent.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = agent.get(reverse("instruction:queue")).content.decode()
    # In the filter's choices, the counts per status and the application's row.
    assert page.count("Instruction en cours : documents demandés au demandeur") == 3
    assert "vous sont demandés" not in page
