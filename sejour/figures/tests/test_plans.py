"""Plans (issue 14 §5): the dashboard, its list and the public figures read the big
tables through indexes only, with enough rows that a full scan would otherwise win."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.attestations.models import Attestation
from sejour.audit.models import AuditEvent
from sejour.core.tests.plans import analyze_big_tables, page_plan_problems
from sejour.figures.rebuild import figures_rebuild
from sejour.registry.models import Prefecture

STATUSES = [
    Status.FILED,
    Status.UNDER_INSTRUCTION,
    Status.WAITING_APPLICANT,
    Status.DECISION_TAKEN,
    Status.HANDED_OVER,
    Status.HANDED_OVER,
    Status.HANDED_OVER,
    Status.WITHDRAWN,
]


def bulk(count: int) -> None:
    today = timezone.localdate()
    now = timezone.now()
    prefectures = list(Prefecture.objects.filter(department_code__in=["75", "69", "13", "33"]))
    users = User.objects.bulk_create(
        User(identifier=f"8{index:09d}", email=f"p{index}@example.org") for index in range(count)
    )
    applications = Application.objects.bulk_create(
        Application(
            applicant=user,
            procedure=("renewal", "first", "address_change")[index % 3],
            motive=("student", "talent", "visitor")[index % 3],
            status=STATUSES[index % len(STATUSES)],
            prefecture=prefectures[index % len(prefectures)],
            current_document={"kind": "permit", "number": f"D{index}"},
            current_document_ends_on=today + timedelta(days=index % 400 - 100),
            filed_at=now - timedelta(days=index % 500),
            decided_at=now - timedelta(days=index % 500 - index % 90)
            if index % len(STATUSES) > 2
            else None,
        )
        for index, user in enumerate(users)
    )
    Attestation.objects.bulk_create(
        Attestation(
            application=application,
            kind=Attestation.Kind.ADP,
            holder_name="X",
            valid_from=application.current_document_ends_on + timedelta(days=1),
            valid_until=application.current_document_ends_on + timedelta(days=90),
        )
        for application in applications[::2]
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(action=action, application=application)
        for application in applications
        for action in ("application.submitted", "application.step_saved", "document.added")
    )


@pytest.mark.django_db
def test_dashboard_list_and_public_figures_use_indexes(agent_client):
    bulk(6000)
    figures_rebuild()
    analyze_big_tables("attestations_attestation")
    supervisor = User.objects.create_user(
        "superviseur.paris",
        "a long enough test passphrase",
        email="s@example.org",
        role=User.Role.SUPERVISOR,
        prefecture=Prefecture.objects.get(department_code="75"),
    )
    client = agent_client(supervisor, Client())
    problems = []
    for url in (
        reverse("figures:dashboard", args=["75"]),
        reverse("figures:uncovered", args=["75"]),
        reverse("transparency"),
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        problems += page_plan_problems(queries)
    assert problems == []
