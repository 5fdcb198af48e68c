"""The Prometheus endpoint: who may read it, what it counts, and the ADP gap query at scale."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import path
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from sejour.attestations.models import Attestation
from sejour.attestations.tests.test_coverage_and_verification import at, under_instruction
from sejour.notifications.models import OutboxMessage
from sejour.operations.heartbeat import heartbeat_beat
from sejour.operations.selectors import adp_coverage_gaps, adp_coverage_gaps_query

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOWED_NETWORKS = []


def test_metrics_is_off_unless_configured(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = "", []
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_needs_the_token_and_the_network(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-token").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    assert client.post("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code in (
        403,
        405,
    )

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.1.0.0/16", "2001:db8::/32"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    # A forged X-Forwarded-For is not trusted without TRUSTED_PROXY_COUNT.
    forged = client.get("/metrics", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forged.status_code == 403

    settings.METRICS_TOKEN = "s3cret-token"  # both set: both needed
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert ok.status_code == 200
    wrong_network = client.get(
        "/metrics", REMOTE_ADDR="10.9.9.9", HTTP_AUTHORIZATION="Bearer s3cret-token"
    )
    assert wrong_network.status_code == 403


def _boom(request):
    raise RuntimeError("broken view")


urlpatterns = [path("boom/", _boom, name="boom")]


def test_latency_and_errors_per_view(client, metrics_on, settings):
    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0

    home_before = sample(
        "sejour_http_request_duration_seconds_count", view="core:home", method="GET"
    )
    ok_before = sample("sejour_http_responses_total", view="core:home", status="2xx")
    missing_before = sample("sejour_http_responses_total", view="<unresolved>", status="4xx")
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    assert (
        sample("sejour_http_request_duration_seconds_count", view="core:home", method="GET")
        == home_before + 3
    )
    assert sample("sejour_http_responses_total", view="core:home", status="2xx") == ok_before + 3
    assert (
        sample("sejour_http_responses_total", view="<unresolved>", status="4xx")
        == missing_before + 1
    )

    settings.ROOT_URLCONF = __name__
    errors_before = sample("sejour_http_exceptions_total", view="boom")
    server_errors_before = sample("sejour_http_responses_total", view="boom", status="5xx")
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    assert sample("sejour_http_exceptions_total", view="boom") == errors_before + 1
    assert (
        sample("sejour_http_responses_total", view="boom", status="5xx") == server_errors_before + 1
    )
    settings.ROOT_URLCONF = "sejour.urls"

    samples = scrape(client)
    assert value(samples, "sejour_http_responses_total", view="core:home", status="2xx") >= 3
    assert (
        value(
            samples,
            "sejour_http_request_duration_seconds_bucket",
            view="core:home",
            method="GET",
            le="+Inf",
        )
        >= 3
    )


def test_queue_outbox_and_workers_are_read_from_the_database(client, metrics_on, settings):
    from sejour.notifications.tasks import deliver_outbox_message

    settings.TASKS = DATABASE_TASKS
    samples = scrape(client)
    assert value(samples, "sejour_tasks_queued", queue="default") == 0
    assert value(samples, "sejour_tasks_oldest_queued_age_seconds") == 0
    assert value(samples, "sejour_workers_alive") == 0
    assert value(samples, "sejour_worker_heartbeat_age_seconds") == -1

    message = OutboxMessage.objects.create(channel="email", recipient="a@example.org", body="x")
    OutboxMessage.objects.create(
        channel="email", recipient="b@example.org", body="y", status=OutboxMessage.Status.FAILED
    )
    OutboxMessage.objects.create(
        channel="email", recipient="c@example.org", body="z", status=OutboxMessage.Status.SENT
    )
    with at(timezone.localdate() - timedelta(days=1)):
        deliver_outbox_message.enqueue(message.pk)
    deliver_outbox_message.enqueue(message.pk)
    heartbeat_beat(worker_id="worker-a", started_at=timezone.now())

    samples = scrape(client)
    assert value(samples, "sejour_tasks_queued", queue="default") == 2
    assert value(samples, "sejour_tasks_oldest_queued_age_seconds") > 3600
    assert value(samples, "sejour_tasks_running") == 0
    assert value(samples, "sejour_outbox_messages", status="pending") == 1
    assert value(samples, "sejour_outbox_messages", status="failed") == 1
    assert value(samples, "sejour_workers_alive") == 1
    assert 0 <= value(samples, "sejour_worker_heartbeat_age_seconds") < 5

    # A worker silent for longer than WORKER_HEARTBEAT_MAX_AGE no longer counts.
    from sejour.operations.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=5))
    samples = scrape(client)
    assert value(samples, "sejour_workers_alive") == 0
    assert value(samples, "sejour_worker_heartbeat_age_seconds") >= 300


@pytest.mark.usefixtures("clamd", "media_root")
def test_adp_coverage_gap_is_seen_then_closed(
    client, metrics_on, applicant, agent_paris, ephoto_codes
):
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    ends = application.current_document_ends_on
    assert adp_coverage_gaps() == 0
    with at(ends):
        assert adp_coverage_gaps() == 0  # the document itself is valid on its last day
    with at(ends + timedelta(days=1)):
        # Nobody ran attestations_cover: the person has nothing valid today.
        assert adp_coverage_gaps() == 1
        assert value(scrape(client), "sejour_adp_coverage_gaps") == 1
        call_command("attestations_cover", verbosity=0)
        assert adp_coverage_gaps() == 0
        assert value(scrape(client), "sejour_adp_coverage_gaps") == 0
        adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
        Attestation.objects.filter(pk=adp.pk).update(revoked_at=timezone.now())
        assert adp_coverage_gaps() == 1  # a revoked ADP covers nothing
        Attestation.objects.filter(pk=adp.pk).update(revoked_at=None)
    with at(adp.valid_until):
        call_command("attestations_cover", verbosity=0)  # the next ADP, starting tomorrow
        adp.refresh_from_db()
        assert adp.superseded_by_id is not None
        assert adp_coverage_gaps() == 0  # superseded, but still valid until its last day
    with at(adp.valid_until + timedelta(days=1)):
        assert adp_coverage_gaps() == 0


def test_adp_gap_query_uses_indexes(db):
    """At a million applications the gauge must not read them all."""
    sql, params = adp_coverage_gaps_query().query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner prefers a sequential scan on small tables: forbid it, then
            # check an index can answer each part.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan" not in plan, plan
            assert "pending_by_document_end" in plan, plan
            assert "adp_in_force" in plan, plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            steps = [str(row[-1]) for row in cursor.fetchall()]
            # "SCAN table" reads every row; "SEARCH table USING INDEX" does not.
            assert not [step for step in steps if step.startswith("SCAN")], steps
            assert any("applications_application USING" in step for step in steps), steps
            assert any("adp_in_force" in step for step in steps), steps
