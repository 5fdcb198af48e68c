"""Processing times: the medians kept in the summary tables equal those computed from
the raw audit events, whether they were kept decision by decision or recounted."""

import random
import time as clock
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal
from statistics import median
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications.models import Application, Status
from sejour.audit.models import AuditEvent
from sejour.figures.models import ALL_MOTIVES, NATIONAL, DecisionCount, ProcessingTime
from sejour.figures.rebuild import figures_rebuild
from sejour.figures.services import histogram_median, window_from
from sejour.instruction.services import decision_record
from sejour.registry.models import Prefecture

PARIS = ZoneInfo("Europe/Paris")
DEPARTMENTS = ("75", "69", "13")
PROCEDURES = ("first", "renewal", "address_change")
MOTIVES = ("student", "talent", "visitor")


def reference_medians(today) -> dict:
    """What the old page did, per group: read every filing and decision event and take
    the median of the days between them (local calendar days), over the window."""
    filed = dict(
        AuditEvent.objects.filter(action="application.submitted").values_list(
            "application_id", "created_at"
        )
    )
    start = window_from(today)
    applications = {
        row["pk"]: row
        for row in Application.objects.values(
            "pk", "procedure", "motive", "prefecture__department_code"
        )
    }
    groups = defaultdict(list)
    for application_id, decided_at in AuditEvent.objects.filter(
        action="application.decide"
    ).values_list("application_id", "created_at"):
        decided_on = timezone.localdate(decided_at)
        if decided_on < start:
            continue
        row = applications[application_id]
        days = (decided_on - timezone.localdate(filed[application_id])).days
        for area in (row["prefecture__department_code"], NATIONAL):
            for motive in (row["motive"], ALL_MOTIVES):
                groups[(area, row["procedure"], motive)].append(days)
    return {
        group: (len(durations), Decimal(str(median(durations))))
        for group, durations in groups.items()
    }


def published() -> dict:
    return {
        (row.area, row.procedure, row.motive): (row.decisions, row.median_days)
        for row in ProcessingTime.objects.filter(decisions__gt=0)
    }


def random_moment(rng, around: datetime, spread_days: int) -> datetime:
    """A local moment, often close to midnight (where a UTC date and a local date differ)."""
    day = (around - timedelta(days=rng.randint(0, spread_days))).date()
    clock = rng.choice([time(0, 10), time(23, 50), time(1, 30), time(12, 0), time(22, 59)])
    return datetime.combine(day, clock, tzinfo=PARIS)


def make_application(person, number: str, *, department, procedure, motive, status, filed_at):
    user = User.objects.create_user(number, None, email=f"{number}@example.org")
    application = Application.objects.create(
        applicant=user,
        procedure=procedure,
        motive=motive,
        status=status,
        current_document={"kind": "permit", "number": person.number, "allows_work": True},
        current_document_ends_on=(filed_at + timedelta(days=60)).date(),
        filed_at=filed_at,
        instruction_started_at=filed_at,
        prefecture=Prefecture.objects.get(department_code=department),
    )
    event = AuditEvent.objects.create(action="application.submitted", application=application)
    AuditEvent.objects.filter(pk=event.pk).update(created_at=filed_at)
    return application


def test_histogram_median_is_exact():
    assert histogram_median([]) is None
    assert histogram_median([(7, 1)]) == 7
    assert histogram_median([(10, 1), (20, 1)]) == Decimal("15")
    assert histogram_median([(10, 1), (11, 1)]) == Decimal("10.5")
    assert histogram_median([(5, 2), (1, 1), (9, 3)]) == Decimal("7")  # 1 5 5 9 9 9
    assert histogram_median([(3, 0), (4, 2)]) == 4
    rng = random.Random(4)
    for _ in range(200):
        values = [rng.randint(0, 40) for _ in range(rng.randint(1, 30))]
        pairs = defaultdict(int)
        for value in values:
            pairs[value] += 1
        assert histogram_median(pairs.items()) == Decimal(str(median(values)))


@pytest.mark.django_db
def test_recounted_medians_equal_the_raw_events_on_random_data(registry_person):
    rng = random.Random(14)
    person = registry_person()
    now = timezone.now()
    for index in range(160):
        decided_at = random_moment(rng, now, 700)  # two years: the window cuts some off
        filed_at = decided_at - timedelta(days=rng.randint(0, 200), hours=rng.randint(0, 23))
        application = make_application(
            person,
            f"1{index:09d}",
            department=rng.choice(DEPARTMENTS),
            procedure=rng.choice(PROCEDURES),
            motive=rng.choice(MOTIVES),
            status=Status.DECISION_TAKEN,
            filed_at=filed_at,
        )
        Application.objects.filter(pk=application.pk).update(decided_at=decided_at)
        event = AuditEvent.objects.create(action="application.decide", application=application)
        AuditEvent.objects.filter(pk=event.pk).update(created_at=decided_at)
    # Some filed and not decided yet: they count nowhere.
    make_application(
        person,
        "2000000001",
        department="75",
        procedure="renewal",
        motive="student",
        status=Status.UNDER_INSTRUCTION,
        filed_at=now,
    )
    figures_rebuild()
    expected = reference_medians(timezone.localdate())
    assert len(expected) > 40
    assert published() == expected
    # Every row of the window published, none before it.
    assert (
        ProcessingTime.objects.exclude(window_from=window_from(timezone.localdate())).count() == 0
    )


@pytest.mark.django_db
def test_each_decision_keeps_the_medians_equal_to_the_raw_events(registry_person):
    rng = random.Random(2026)
    person = registry_person()
    agents = {
        code: User.objects.create_user(
            f"agent.{code}",
            None,
            email=f"agent{code}@example.org",
            role=User.Role.AGENT,
            prefecture=Prefecture.objects.get(department_code=code),
        )
        for code in DEPARTMENTS
    }
    now = timezone.now()
    start = datetime.combine(window_from(timezone.localdate()), time(12), tzinfo=PARIS)
    span = (now - start).days
    plans = []
    for index in range(45):
        decided_at = start + timedelta(days=rng.randint(0, span - 1), minutes=rng.randint(0, 700))
        filed_at = decided_at - timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 23))
        department = rng.choice(DEPARTMENTS)
        application = make_application(
            person,
            f"3{index:09d}",
            department=department,
            procedure=rng.choice(PROCEDURES[:2]),
            motive=rng.choice(MOTIVES),
            status=Status.UNDER_INSTRUCTION,
            filed_at=filed_at,
        )
        plans.append((decided_at, application, agents[department]))
    for decided_at, application, agent in sorted(plans, key=lambda plan: plan[0]):
        with time_machine.travel(decided_at, tick=False):
            decision_record(
                application=application, favourable=rng.random() < 0.7, reasons="r", by=agent
            )
    assert published() == reference_medians(timezone.localdate())
    kept = set(
        DecisionCount.objects.values_list(
            "area", "procedure", "motive", "month", "days", "decisions"
        )
    )
    figures_rebuild()
    assert (
        set(
            DecisionCount.objects.values_list(
                "area", "procedure", "motive", "month", "days", "decisions"
            )
        )
        == kept
    )
    assert published() == reference_medians(timezone.localdate())


def _decided(person, count: int, offset: int) -> None:
    now = timezone.now()
    for index in range(count):
        application = make_application(
            person,
            f"{offset + index:010d}",
            department=DEPARTMENTS[index % 3],
            procedure=PROCEDURES[index % 2],
            motive=MOTIVES[index % 3],
            status=Status.DECISION_TAKEN,
            filed_at=now - timedelta(days=10 + index % 40),
        )
        Application.objects.filter(pk=application.pk).update(decided_at=now)


@pytest.mark.django_db
def test_public_page_reads_a_few_rows_whatever_the_volume(client, registry_person):
    person = registry_person()
    _decided(person, 30, 4000000000)
    figures_rebuild()
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("transparency")).content.decode()
    assert "Préfecture de police" in page
    assert "Whole of France" in page
    since = window_from(timezone.localdate())
    assert f"since {since.day} " in page
    _decided(person, 270, 4100000000)
    figures_rebuild()
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("transparency"))
    assert 0 < len(large) == len(small) <= 4
    assert not any(
        "applications_application" in q["sql"] or "audit_auditevent" in q["sql"] for q in large
    )


@pytest.mark.django_db
def test_small_groups_are_not_shown_and_half_days_are(client, registry_person):
    person = registry_person()
    now = timezone.now()
    for index, days in enumerate([10, 11, 40, 5]):
        application = make_application(
            person,
            f"75000005{index:02d}",
            department="75",
            procedure="renewal",
            motive="student",
            status=Status.DECISION_TAKEN,
            filed_at=now - timedelta(days=days),
        )
        Application.objects.filter(pk=application.pk).update(decided_at=now)
    lone = make_application(
        person,
        "7500000599",
        department="69",
        procedure="first",
        motive="visitor",
        status=Status.DECISION_TAKEN,
        filed_at=now - timedelta(days=3),
    )
    Application.objects.filter(pk=lone.pk).update(decided_at=now)
    figures_rebuild()
    page = client.get(reverse("transparency")).content.decode().replace("\n", "")
    assert "<td>Préfecture de police</td><td>Renewal</td><td>4</td><td>10.5</td>" in page
    assert "Visitor" not in page and "Rhône" not in page


@pytest.mark.django_db
def test_the_page_is_in_french_first(client, settings):
    settings.LANGUAGE_CODE = "fr"
    page = client.get(reverse("transparency")).content.decode()
    assert "Délais de décision des préfectures" in page
    assert "les douze derniers mois, celui-ci compris" in page
    assert "Pas encore assez de décisions." in page


@pytest.mark.django_db
def test_the_daily_command_recounts_and_the_page_says_when(client, registry_person):
    from io import StringIO

    from django.core.management import call_command

    from sejour.figures.models import Recount

    person = registry_person()
    _decided(person, 9, 4200000000)
    assert not ProcessingTime.objects.exists()  # made by hand: no service counted them
    out = StringIO()
    call_command("figures_rebuild", stdout=out)
    assert "Summary tables recounted in" in out.getvalue()
    assert ProcessingTime.objects.filter(area=NATIONAL, motive=ALL_MOTIVES).exists()
    # The worker's way (the test settings run tasks at once).
    call_command("figures_rebuild", "--enqueue", stdout=out)
    assert Recount.objects.count() == 2
    assert "Last recount:" in client.get(reverse("transparency")).content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_are_both_in_the_published_median(registry_person, monkeypatch):
    """Two agents decide in the same group at the same moment: each transaction reads
    the histogram only once the other has committed, so none publishes a median
    without the other's decision (the published rows are locked first)."""
    import threading

    from sejour.figures import services

    person = registry_person()
    agent = User.objects.create_user(
        "agent.75",
        None,
        email="a75@example.org",
        role=User.Role.AGENT,
        prefecture=Prefecture.objects.get(department_code="75"),
    )
    now = timezone.now()
    applications = [
        make_application(
            person,
            f"90000000{index:02d}",
            department="75",
            procedure="renewal",
            motive="student",
            status=Status.UNDER_INSTRUCTION,
            filed_at=now - timedelta(days=days),
        )
        for index, days in enumerate((20, 10, 30))  # three histogram rows: no lock shared there
    ]
    # The group's published rows exist (an earlier decision): only their lock can serialise.
    decision_record(application=applications.pop(0), favourable=True, reasons="ok", by=agent)
    publish = services.processing_times_publish

    def slow_publish(**kwargs):
        clock.sleep(0.5)  # widen the window in which the other decision could be missed
        return publish(**kwargs)

    monkeypatch.setattr(services, "processing_times_publish", slow_publish)
    barrier = threading.Barrier(2)
    outcomes = []

    def desk(application):
        try:
            barrier.wait()
            decision_record(application=application, favourable=True, reasons="ok", by=agent)
            outcomes.append("decided")
        except Exception as error:  # noqa: BLE001 — reported in the assertion below
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=desk, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["decided", "decided"], outcomes
    for area in ("75", NATIONAL):
        row = ProcessingTime.objects.get(area=area, procedure="renewal", motive=ALL_MOTIVES)
        assert (row.decisions, row.median_days) == (3, Decimal(20)), area
