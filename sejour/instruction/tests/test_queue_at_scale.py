"""The queue at national volume: exact lookups, name search without accents or case,
cursor pages without COUNT, counts kept per status, indexes that serve each view,
and the same number of queries whatever the number of rows."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications import services as application_services
from sejour.applications.models import Application, Status
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.figures.models import Tally
from sejour.figures.rebuild import figures_rebuild
from sejour.instruction import selectors
from sejour.instruction import services as instruction_services
from sejour.registry.models import Prefecture

from .test_access_and_queue import make_filed

pytestmark = pytest.mark.usefixtures("clamd", "media_root")

QUEUE = "/agents/"
BIG_TABLES = (
    "applications_application",
    "documents_supportingfile",
    "audit_auditevent",
    "instruction_complementrequest",
)


def rows_on(page: str) -> list[str]:
    return re.findall(r'href="/agents/demandes/(SJ-[A-Z0-9]{8})/"', page)


def link(page: str, label: str) -> str | None:
    """The href of the pagination link with this label (unescaped)."""
    match = re.search(r'<a class="fr-pagination__link[^"]*" href="\?([^"]*)">' + label, page)
    return QUEUE + "?" + match.group(1).replace("&amp;", "&") if match else None


STATUSES = (Status.FILED, Status.UNDER_INSTRUCTION, Status.WAITING_APPLICANT, Status.HANDED_OVER)


def bulk_filed(prefecture_code: str, count: int, *, start: int = 0) -> list[Application]:
    """Many filed applications at once (bulk_create, as a bulk load), then the recount."""
    prefecture = Prefecture.objects.get(department_code=prefecture_code)
    users = User.objects.bulk_create(
        User(
            identifier=f"{prefecture_code[:2]}9{start + index:07d}",
            email=f"bulk{prefecture_code}{start + index}@example.org",
            first_names="Awa",
            last_name=f"Bulk{(start + index) % 97}",
        )
        for index in range(count)
    )
    now = timezone.now()
    today = timezone.localdate()
    applications = Application.objects.bulk_create(
        Application(
            applicant=user,
            procedure="renewal",
            motive=("student", "talent", "visitor")[index % 3],
            status=STATUSES[index % 4],
            reply_due_on=today + timedelta(days=index % 40 - 20)
            if STATUSES[index % 4] == Status.WAITING_APPLICANT
            else None,
            current_document={"kind": "permit", "number": f"B{start + index}"},
            current_document_ends_on=today + timedelta(days=(index * 7) % 400 - 100),
            late=index % 5 == 0,
            filed_at=now - timedelta(minutes=index),
            prefecture=prefecture,
            answers={"personal": {"first_names": "Awa", "last_name": user.last_name}},
            search_name=f"awa bulk{(start + index) % 97}",
            # One open application in eleven waits for the prefecture's answer.
            awaiting_answer_since=now - timedelta(hours=index % 50)
            if index % 11 == 0 and STATUSES[index % 4] != Status.HANDED_OVER
            else None,
        )
        for index, user in enumerate(users)
    )
    figures_rebuild()
    return applications


# What the agent types


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("sj-abcd2345", "reference", "SJ-ABCD2345"),
        (" SJ ABCD 2345 ", "reference", "SJ-ABCD2345"),
        ("SJABCD2345", "reference", "SJ-ABCD2345"),
        ("75 0000 0302", "number", "7500000302"),
        ("123456789", "number", "123456789"),
        ("Nguyễn", "name", "nguyen"),
        ("  ÉLODIE   Müller-Weiß ", "name", "elodie muller weiss"),
        ("Ba", "too_short", ""),
        ("", "", ""),
    ],
)
def test_what_the_agent_types_is_one_kind_of_search(typed, kind, value):
    assert selectors.queue_search(typed) == selectors.Search(kind, value)


# Searches


@pytest.mark.django_db
def test_name_search_ignores_accents_and_case_and_finds_part_of_a_name(
    registry_person, agent_paris, agent_client
):
    nguyen = make_filed(registry_person, "7500000501", 40, last_name="Nguyễn")
    muller = make_filed(registry_person, "7500000502", 50, last_name="Müller-Weiß")
    other = make_filed(registry_person, "7500000503", 60, last_name="Durand")
    client = agent_client(agent_paris)
    for typed, expected in [
        ("nguyen", {nguyen}),
        ("NGUYỄN", {nguyen}),
        ("guy", {nguyen}),
        ("muller weiss", {muller}),
        ("WEISS", {muller}),
        ("durand nguyen", set()),  # every word must match
    ]:
        found = set(rows_on(client.get(QUEUE, {"q": typed}).content.decode()))
        assert found == {a.reference for a in expected}, typed
    assert other.search_name == "x durand"


@pytest.mark.django_db
def test_a_too_short_name_is_explained_next_to_the_field(
    registry_person, agent_paris, agent_client
):
    make_filed(registry_person, "7500000511", 40, last_name="Ba")
    response = agent_client(agent_paris).get(QUEUE, {"q": "ba"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Type at least 3 letters of the name, or a full reference or number." in page
    assert 'aria-describedby="id_q_error"' in page
    assert rows_on(page) == []


@pytest.mark.django_db
def test_numbers_and_references_are_exact_lookups(registry_person, agent_paris, agent_client):
    first = make_filed(registry_person, "7500000521", 40)
    second = make_filed(registry_person, "7500000522", 50)
    client = agent_client(agent_paris)
    assert rows_on(client.get(QUEUE, {"q": "75 0000 0521"}).content.decode()) == [first.reference]
    # Part of a number is not a match (it would be a scan, and the wrong person).
    assert rows_on(client.get(QUEUE, {"q": "75000005"}).content.decode()) == []
    by_reference = client.get(QUEUE, {"q": second.reference.lower().replace("-", " ")})
    assert rows_on(by_reference.content.decode()) == [second.reference]


@pytest.mark.django_db
def test_a_visa_holder_is_found_by_visa_number(registry_person, agent_paris, agent_client):
    application = make_filed(registry_person, "7500000531", 40)
    User.objects.filter(pk=application.applicant_id).update(
        identifier=None, visa_number="987654321"
    )
    page = agent_client(agent_paris).get(QUEUE, {"q": "987654321"}).content.decode()
    assert rows_on(page) == [application.reference]


@pytest.mark.django_db
def test_searches_and_cursors_never_reach_another_prefecture(
    registry_person, agent_paris, agent_rhone, agent_client
):
    lyon = make_filed(registry_person, "6900000541", 40, postcode="69003", last_name="Rhodanien")
    paris = make_filed(registry_person, "7500000542", 50)
    client = agent_client(agent_paris)
    for typed in (lyon.reference, "6900000541", "rhodanien"):
        assert rows_on(client.get(QUEUE, {"q": typed}).content.decode()) == [], typed
    # A cursor naming another prefecture's application is ignored: the first page.
    page = client.get(QUEUE, {"after": lyon.pk}).content.decode()
    assert rows_on(page) == [paris.reference]
    assert lyon.reference not in page
    assert rows_on(agent_client(agent_rhone).get(QUEUE).content.decode()) == [lyon.reference]


# Pages, filters, counts


@pytest.mark.django_db
def test_cursor_pages_go_forward_and_back_in_urgency_order_without_counting(
    agent_paris, agent_client
):
    bulk_filed("75", 60)
    expected = list(
        Application.objects.filter(prefecture__department_code="75")
        .order_by(*selectors.QUEUE_ORDER)
        .values_list("reference", flat=True)
    )
    client = agent_client(agent_paris)
    seen, url, pages = [], QUEUE, []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        pages.append(page)
        seen += rows_on(page)
        url = link(page, "Next page")
    assert seen == expected
    assert [len(rows_on(page)) for page in pages] == [25, 25, 10]
    assert link(pages[0], "Previous page") is None and link(pages[0], "First page") is None
    back = client.get(link(pages[2], "Previous page")).content.decode()
    assert rows_on(back) == expected[25:50]
    first = client.get(link(back, "Previous page")).content.decode()
    assert rows_on(first) == expected[:25]
    assert link(first, "Previous page") is None
    assert link(back, "First page") == QUEUE + "?"


@pytest.mark.django_db
def test_filters_keep_the_cursor_and_the_counts_come_from_the_tallies(agent_paris, agent_client):
    bulk_filed("75", 120)
    client = agent_client(agent_paris)
    page = client.get(QUEUE, {"status": "filed"}).content.decode()
    assert "Filed (30)" in page and "Under instruction (30)" in page and "All (120)" in page
    assert "30 applications, most urgent first" in page
    next_url = link(page, "Next page")
    assert "status=filed" in next_url
    second = client.get(next_url).content.decode()
    expected = list(
        Application.objects.filter(prefecture__department_code="75", status=Status.FILED)
        .order_by(*selectors.QUEUE_ORDER)
        .values_list("reference", flat=True)
    )
    assert rows_on(page) + rows_on(second) == expected
    # Other filters: the number is not known without counting, so none is claimed.
    late = client.get(QUEUE, {"late": "on"}).content.decode()
    assert "Applications found, most urgent first" in late
    late_expected = Application.objects.filter(prefecture__department_code="75", late=True)
    assert set(rows_on(late)) == set(late_expected.values_list("reference", flat=True))
    # Counts shown are the tallies', not a COUNT over the applications.
    Tally.objects.filter(measure=Tally.Measure.FILED, status=Status.FILED).update(count=0)
    tally = Tally.objects.filter(measure=Tally.Measure.FILED, status=Status.FILED).first()
    Tally.objects.filter(pk=tally.pk).update(count=12345)
    assert "Filed (12345)" in client.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_deadline_passed_follows_the_complement_request_and_its_answer(
    applicant, agent_paris, agent_client, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    instruction_services.instruction_start(application=application, by=agent_paris)
    deadline = timezone.localdate() + timedelta(days=10)
    instruction_services.complement_request(
        application=application,
        items=[{"code": "passport", "problem": "missing"}],
        message="Envoyez votre passeport.",
        deadline=deadline,
        by=agent_paris,
    )
    application.refresh_from_db()
    assert application.reply_due_on == deadline
    client = agent_client(agent_paris)
    assert rows_on(client.get(QUEUE, {"deadline_passed": "on"}).content.decode()) == []
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        client = agent_client(agent_paris)
        late = client.get(QUEUE, {"deadline_passed": "on"}).content.decode()
        assert rows_on(late) == [application.reference]
        assert late.count("deadline passed</strong>") == 1
        instruction_services.complement_answer(application=application, by=applicant)
        application.refresh_from_db()
        assert application.reply_due_on is None
        assert rows_on(client.get(QUEUE, {"deadline_passed": "on"}).content.decode()) == []
        assert "deadline passed</strong>" not in client.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_the_deadline_stops_with_any_move_out_of_waiting(
    applicant, agent_paris, supervisor_paris, agent_client, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    instruction_services.instruction_start(application=application, by=agent_paris)
    instruction_services.complement_request(
        application=application,
        items=[{"code": "passport", "problem": "missing"}],
        message="Envoyez votre passeport.",
        deadline=timezone.localdate() + timedelta(days=3),
        by=agent_paris,
    )
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        application.refresh_from_db()
        instruction_services.application_close(
            application=application, reason="Pas de réponse.", by=supervisor_paris
        )
        application.refresh_from_db()
        assert application.status == Status.CLOSED and application.reply_due_on is None
        page = agent_client(agent_paris).get(QUEUE, {"deadline_passed": "on"}).content.decode()
        assert rows_on(page) == []


@pytest.mark.django_db
def test_queue_queries_stay_the_same_at_ten_times_the_rows(
    agent_paris, agent_client, django_assert_num_queries
):
    client = agent_client(agent_paris)
    bulk_filed("75", 30)
    views = [
        {},
        {"status": "filed"},
        {"motive": "visitor"},
        {"late": "on"},
        {"deadline_passed": "on"},
        {"awaiting_answer": "on"},
        {"q": "awa bulk1"},
        {"q": "7590000003"},
    ]

    def measure():
        counts = []
        for params in views:
            with CaptureQueriesContext(connection) as queries:
                page = client.get(QUEUE, params).content.decode()
            counts.append(len(queries.captured_queries))
            if params == {}:
                with CaptureQueriesContext(connection) as queries:
                    client.get(link(page, "Next page"))
                counts.append(len(queries.captured_queries))
        return counts

    small = measure()
    bulk_filed("75", 270, start=30)
    assert measure() == small
    # Session, user, authenticator, prefecture, the sliding session (3); cursor, page,
    # counts, the oldest message waiting for an answer.
    assert max(small) <= 11


# Plans: the indexes serve every view


def _plan_problems(sql: str, *, index_possible: bool = False) -> list[str]:
    """Full scans of a big table in the plan of one query, on either database.

    `index_possible`: only prove an index CAN serve the query (sequential scans
    priced out). For a partial-name search on 8,000 test rows that all share the
    same trigrams, PostgreSQL's own choice flips between runs (seen in CI)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if index_possible:
                cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            finally:
                if index_possible:
                    cursor.execute("RESET enable_seqscan")
            plan = json.loads(plan) if isinstance(plan, str) else plan
            problems, nodes = [], [plan[0]["Plan"]]
            while nodes:
                node = nodes.pop()
                nodes += node.get("Plans", [])
                if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
                    problems.append(f"Seq Scan on {node['Relation Name']}")
            return problems
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [
            row[-1]
            for row in cursor.fetchall()
            if re.match(rf"SCAN ({'|'.join(BIG_TABLES)})\b(?! USING)", row[-1])
        ]


@pytest.mark.django_db
def test_every_queue_view_reads_from_an_index(agent_paris, agent_rhone, agent_client):
    """Enough rows that a sequential scan would be the planner's cheap choice if no
    index fitted (two prefectures, statistics refreshed), then the plan of every
    query the page runs. No planner setting is changed: these are the plans
    PostgreSQL picks by itself."""
    applications = bulk_filed("75", 4000)
    bulk_filed("69", 4000, start=4000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in BIG_TABLES + ("accounts_user",):
                cursor.execute(f"ANALYZE {table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = agent_client(agent_paris)
    deep = applications[1999].pk
    views = [
        {},
        {"status": "under_instruction"},
        {"motive": "talent"},
        {"late": "on"},
        {"deadline_passed": "on"},
        {"awaiting_answer": "on"},
        {"awaiting_answer": "on", "after": deep},
        {"status": "filed", "motive": "student"},
        {"q": applications[10].reference},
        {"q": applications[10].applicant.identifier},
        {"q": "bulk42"},
        {"after": deep},
        {"before": deep},
        {"status": "filed", "after": deep},
    ]
    for params in views:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, params)
        assert response.status_code == 200
        for query in queries.captured_queries:
            if any(table in query["sql"] for table in BIG_TABLES):
                name_search = params.get("q") == "bulk42"
                assert _plan_problems(query["sql"], index_possible=name_search) == [], (
                    params,
                    query["sql"],
                )


@pytest.mark.django_db
def test_waiting_for_our_answer_lists_who_waits_in_urgency_order_with_the_age(
    agent_paris, agent_client
):
    from django.utils.timesince import timesince

    bulk_filed("75", 60)
    lyon = bulk_filed("69", 30, start=60)
    waiting = Application.objects.filter(
        prefecture__department_code="75", awaiting_answer_since__isnull=False
    )
    expected = list(waiting.order_by(*selectors.QUEUE_ORDER).values_list("reference", flat=True))
    assert 3 < len(expected) < 60
    client = agent_client(agent_paris)
    page = client.get(QUEUE, {"awaiting_answer": "on"}).content.decode()
    assert rows_on(page) == expected
    assert page.count("waiting for our answer for") == len(expected)
    assert "Applications found, most urgent first" in page  # no COUNT for a filter
    assert not {a.reference for a in lyon} & set(rows_on(page))
    # The whole queue says how long the oldest message has waited, and links the filter.
    oldest = waiting.order_by("awaiting_answer_since").first().awaiting_answer_since
    everything = client.get(QUEUE).content.decode()
    assert f"the oldest message has waited {timesince(oldest)}." in everything
    assert 'href="?awaiting_answer=on"' in everything
