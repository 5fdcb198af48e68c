"""A supervisor's dashboard: only for the supervisors of the prefecture, its figures
follow every change at once, and it reads the same few rows at any volume."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.attestations.services import coverage_ensure
from sejour.conftest import _staff
from sejour.figures.models import Tally
from sejour.figures.rebuild import figures_rebuild, tally_counts
from sejour.instruction import services as instruction
from sejour.registry.models import Prefecture
from sejour.rules.services import add_months

pytestmark = pytest.mark.usefixtures("media_root")


def stored_tallies() -> dict:
    return {
        (row.prefecture_id, row.measure, row.status, row.day): row.count
        for row in Tally.objects.exclude(count=0)
    }


def filed(
    registry_person,
    number: str,
    *,
    days_ago: int,
    ends_in: int,
    status=Status.UNDER_INSTRUCTION,
    department="75",
):
    """An application filed `days_ago` days ago whose current document ends in `ends_in` days."""
    today = timezone.localdate()
    document = registry_person(foreign_number=number, ends_in_days=ends_in)
    user = User.objects.create_user(
        number, None, email=f"{number}@example.org", first_names="Awa", last_name=f"N{number}"
    )
    return Application.objects.create(
        applicant=user,
        procedure="renewal",
        motive="student",
        status=status,
        current_document={
            "kind": "permit",
            "number": document.number,
            "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat(),
            "allows_work": True,
            "motive": "student",
        },
        current_document_ends_on=today + timedelta(days=ends_in),
        filed_at=timezone.now() - timedelta(days=days_ago),
        instruction_started_at=timezone.now() - timedelta(days=days_ago)
        if status != Status.FILED
        else None,
        prefecture=Prefecture.objects.get(department_code=department),
        answers={"personal": {"first_names": "Awa", "last_name": f"N{number}"}},
    )


@pytest.fixture
def supervisor_rhone(db) -> User:
    return _staff("superviseur.rhone", User.Role.SUPERVISOR, "69")


def logged_in(agent_client, agent) -> Client:
    return agent_client(agent, Client())


def urls(department="75"):
    return [
        reverse("figures:dashboard", args=[department]),
        reverse("figures:uncovered", args=[department]),
    ]


@pytest.mark.django_db
def test_only_the_prefectures_supervisors_see_its_dashboard(
    client, agent_client, applicant, agent_paris, supervisor_paris, supervisor_rhone
):
    home = reverse("figures:dashboard_home")
    for url in [home, *urls()]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(
            reverse("instruction:login")
        ), url
    paris = logged_in(agent_client, supervisor_paris)
    assert paris.get(home).url == reverse("figures:dashboard", args=["75"])
    for url in urls():
        assert paris.get(url).status_code == 200, url
    # An agent without the supervisor role: 403, their own prefecture included.
    agent = logged_in(agent_client, agent_paris)
    for url in [home, *urls()]:
        assert agent.get(url).status_code == 403, url
    # Another prefecture's supervisor: that dashboard does not exist for them.
    rhone = logged_in(agent_client, supervisor_rhone)
    for url in urls():
        assert rhone.get(url).status_code == 404, url
    for url in urls("69"):
        assert rhone.get(url).status_code == 200, url
    assert rhone.get(reverse("figures:dashboard", args=["zz"])).status_code == 404
    # Applicants are not agents at all.
    client.force_login(applicant)
    for url in [home, *urls()]:
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_figures_follow_each_change_and_equal_a_recount(
    registry_person, agent_client, agent_paris, supervisor_paris
):
    today = timezone.localdate()
    # The legal deadline is the implicit refusal, 4 months after filing (CESEDA R.432-2).
    filed(registry_person, "7500000101", days_ago=130, ends_in=200)
    near = filed(registry_person, "7500000102", days_ago=112, ends_in=200)
    uncovered = filed(registry_person, "7500000103", days_ago=5, ends_in=-3, status=Status.FILED)
    asked = filed(registry_person, "7500000104", days_ago=20, ends_in=200)
    filed(registry_person, "6900000105", days_ago=100, ends_in=-3, department="69")
    figures_rebuild()  # as after a bulk load: the baseline
    # Twenty days ago the agent asked for a document, to be sent within ten days.
    with time_machine.travel(timezone.now() - timedelta(days=20)):
        instruction.complement_request(
            application=asked,
            items=[{"code": "passport", "problem": "missing"}],
            message="Please send your passport.",
            deadline=today - timedelta(days=10),
            by=agent_paris,
        )
    assert stored_tallies() == tally_counts()

    page = logged_in(agent_client, supervisor_paris)
    response = page.get(reverse("figures:dashboard", args=["75"]))
    figures = response.context["figures"]
    assert figures["legal_passed"] == 1  # filed 130 days ago, 4 months allowed
    assert figures["legal_near"] == 1  # 8 to 11 days left, as months are long
    assert figures["waiting_applicant"] == 1
    assert figures["reply_overdue"] == 1
    assert figures["uncovered"] == 1  # Lyon's one is not Paris's
    assert figures["total"] == 4
    by_status = {line.status: line.bands for line in figures["lines"]}
    assert by_status[Status.UNDER_INSTRUCTION] == [0, 0, 0, 2, 0]
    assert by_status[Status.FILED] == [1, 0, 0, 0, 0]
    assert by_status[Status.WAITING_APPLICANT] == [1, 0, 0, 0, 0]
    body = response.content.decode()
    assert '<strong class="fr-text-default--error">1</strong>' in body
    assert reverse("figures:uncovered", args=["75"]) in body
    listed = page.get(reverse("figures:uncovered", args=["75"]))
    assert [a.reference for a in listed.context["applications"]] == [uncovered.reference]

    # A decision: output counted, the deadline no longer near; an ADP: everyone covered.
    instruction.decision_record(application=near, favourable=True, reasons="ok", by=agent_paris)
    with transaction.atomic():
        coverage_ensure(application=Application.objects.get(pk=uncovered.pk))
    instruction.complement_answer(application=asked, by=asked.applicant)
    assert stored_tallies() == tally_counts()
    response = page.get(reverse("figures:dashboard", args=["75"]))
    figures = response.context["figures"]
    assert figures["legal_near"] == 0
    assert figures["legal_passed"] == 1
    assert figures["uncovered"] == 0
    assert figures["reply_overdue"] == 0 and figures["waiting_applicant"] == 0
    output = figures["output"]
    assert [row["name"] for row in output["agents"]] == [agent_paris.full_name or "agent.paris"]
    assert output["totals"][-1] == 1 and output["total"] == 1
    body = response.content.decode()
    assert "fr-text-default--error" not in body
    assert not page.get(reverse("figures:uncovered", args=["75"])).context["applications"]
    # The answered request paused the legal clock (4 months from filing) for twenty days.
    paused = Tally.objects.get(
        measure=Tally.Measure.LEGAL,
        day=add_months(timezone.localdate(asked.filed_at), 4) + timedelta(days=20),
    )
    assert paused.count == 1


def _bulk(registry_person, count: int, offset: int) -> None:
    for index in range(count):
        filed(
            registry_person,
            f"{offset + index:010d}",
            days_ago=index % 200,
            ends_in=(index % 30) - 10,
            status=(Status.FILED, Status.UNDER_INSTRUCTION)[index % 2],
        )


@pytest.mark.django_db
def test_the_dashboard_reads_the_same_rows_at_1x_and_10x(
    registry_person, agent_client, supervisor_paris
):
    page = logged_in(agent_client, supervisor_paris)
    _bulk(registry_person, 8, 7510000000)
    figures_rebuild()
    counts = []
    for offset in (7520000000, None):
        with CaptureQueriesContext(connection) as dashboard:
            assert page.get(reverse("figures:dashboard", args=["75"])).status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert page.get(reverse("figures:uncovered", args=["75"])).status_code == 200
        counts.append((len(dashboard), len(listing)))
        assert not any("applications_application" in q["sql"] for q in dashboard)
        if offset:  # ten times the rows
            _bulk(registry_person, 72, offset)
            figures_rebuild()
    assert counts[0] == counts[1]
    assert min(counts[0]) > 0


@pytest.mark.django_db
def test_the_dashboard_speaks_french_first(settings, agent_client, supervisor_paris):
    settings.LANGUAGE_CODE = "fr"
    body = logged_in(agent_client, supervisor_paris).get(reverse("figures:dashboard", args=["75"]))
    body = body.content.decode()
    assert "Tableau de bord — Préfecture de police" in body
    assert "Couverture par ADP" in body and "Le recomptage de nuit" in body
