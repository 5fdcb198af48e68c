"""Measure each key page against gunicorn on the scale database (bench/scale/seed.py).

    SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sejour_scale \\
        .venv/bin/python bench/scale/probe.py [--output bench/results/scale-1m.md]

Starts gunicorn (2 workers) on a free port, logs in real sessions (applicants with
their password, Paris agents with password and authenticator code), then for
1 and 8 concurrent clients requests every page many times, with the bare
`/healthz` view measured in the same run as the floor. Queries per request are
counted in this process with Django's test client on the same database (one
request per page, after a warm-up). Any answer other than the expected one
(status, or a content check) is an error: the run exits 1.
"""

import argparse
import base64
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.scale.seed import PROBE_PASSWORD, PROBE_TOTP_KEY_HEX, checked_url  # noqa: E402

PORTS = range(18500, 18600)
# Production refuses to start without signing keys: one made for this run, shared by
# gunicorn and this process (which signs the verification page's token).
SIGNING_KEYS = "probe1:" + base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
# Targets of issue 14, checked in the results.
QUEUE_P95_MS = 100
QUEUE_FLOOR_RATIO = 10
PROCESSING_TIMES_P95_MS = 20


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(url: str, port: int) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "ATTESTATION_SIGNING_KEYS": SIGNING_KEYS,
        "SECRET_KEY": f"scale-probe-{time.time()}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": f"http://127.0.0.1:{port}",
        # Many logins from one address: lift the per-address limits for this run only.
        "LOGIN_FAILURES_PER_ADDRESS": "100000",
        # A reused authenticator code is a failure: a retry must not lock the probe's agents.
        "LOGIN_FAILURES_PER_IDENTIFIER": "100000",
        "RATE_LIMIT_SIGNUPS_PER_ADDRESS": "100000",
    }


def csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match.group(1) if match else ""


class Fixture:
    """Who logs in and what they look at, read from the scale database."""

    def __init__(self):
        from django.db.models import Count
        from django.db.models.functions import Length

        from sejour.accounts.models import User
        from sejour.applications.models import Application, Status
        from sejour.attestations.models import Attestation
        from sejour.attestations.signing import sign
        from sejour.instruction import selectors
        from sejour.instruction.models import ComplementRequest
        from sejour.registry.models import Prefecture

        self.paris = Prefecture.objects.get(department_code="75")
        self.agents = list(
            User.objects.filter(prefecture=self.paris, role=User.Role.AGENT)
            .order_by("id")
            .values_list("identifier", flat=True)
        )
        self.supervisor = (
            User.objects.filter(prefecture=self.paris, role=User.Role.SUPERVISOR)
            .values_list("identifier", flat=True)
            .first()
        )
        open_paris = Application.objects.filter(
            prefecture=self.paris,
            status=Status.UNDER_INSTRUCTION,
            applicant__identifier__isnull=False,
        ).select_related("applicant")
        sample = list(open_paris.order_by("id")[:8])
        self.applicants = [(a.applicant.identifier, a.reference) for a in sample]
        self.drafts = [
            (a.applicant.identifier, a.reference)
            for a in Application.objects.filter(
                prefecture=self.paris,
                status=Status.DRAFT,
                procedure="renewal",
                motive="student",
                applicant__identifier__isnull=False,
                last_step__in=("personal", "motive", "resources"),
            )
            .select_related("applicant")
            .order_by("id")[:8]
        ]
        target = sample[3]
        self.reference = target.reference
        self.number = target.applicant.identifier
        # The most frequent name long enough to be searched (the form asks for 3 letters).
        self.common_name = (
            Application.objects.filter(prefecture=self.paris)
            .annotate(name_length=Length("applicant__last_name"))
            .filter(name_length__gte=selectors.MINIMUM_NAME_LENGTH)
            .values("applicant__last_name")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("applicant__last_name", flat=True)
            .first()
        )
        # A cursor half-way down the Paris queue: a "deep page" without an OFFSET.
        paris_filed = Application.objects.filter(prefecture=self.paris, filed_at__isnull=False)
        total = paris_filed.count()
        self.deep_cursor = (
            paris_filed.order_by(*selectors.QUEUE_ORDER)
            .values_list("id", flat=True)[total // 2 : total // 2 + 1]
            .get()
        )
        self.paris_filed = total
        attestation = Attestation.objects.filter(kind=Attestation.Kind.ADP).order_by("-id").first()
        self.verify_token = sign({"n": attestation.number})
        self.counts = {
            "applications": Application.objects.count(),
            "applications in Paris": Application.objects.filter(prefecture=self.paris).count(),
            "accounts": User.objects.count(),
            "complement requests": ComplementRequest.objects.count(),
        }
        from django.urls import NoReverseMatch, reverse

        try:
            self.dashboard = reverse("figures:dashboard", args=[self.paris.department_code])
        except NoReverseMatch:  # measured once the dashboard exists
            self.dashboard = None


def pages(fixture) -> list[dict]:
    """Every page measured: who asks, what, and what the answer must contain."""
    queue = "/agents/"
    views = [
        ("healthz", None, "/healthz", None),
        ("home", None, "/", None),
        ("processing times /transparence/", None, "/transparence/", None),
        ("verification", None, f"/verifier/{fixture.verify_token}/", None),
        ("applicant: my space", "applicant", "/mon-espace/", None),
        ("applicant: applications", "applicant", "/demarches/", None),
        ("applicant: application page", "applicant", "/demarches/{reference}/", "{reference}"),
        ("applicant: wizard save", "draft", "POST", None),
        ("queue: first page", "agent", queue, None),
    ]
    from sejour.applications.models import Status
    from sejour.instruction.forms import QueueFilterForm

    for status in Status:
        if status != Status.DRAFT:
            views.append(
                (f"queue: status {status.value}", "agent", f"{queue}?status={status}", None)
            )
    for value, _label in QueueFilterForm.base_fields["motive"].choices:
        if value:
            views.append((f"queue: motive {value}", "agent", f"{queue}?motive={value}", None))
    views += [
        ("queue: filed late", "agent", f"{queue}?late=on", None),
        ("queue: deadline passed", "agent", f"{queue}?deadline_passed=on", None),
        ("queue: waiting for our answer", "agent", f"{queue}?awaiting_answer=on", None),
        ("queue: status + motive", "agent", f"{queue}?status=filed&motive=student", None),
        ("queue: search reference", "agent", f"{queue}?q={fixture.reference}", fixture.reference),
        ("queue: search number", "agent", f"{queue}?q={fixture.number}", fixture.reference),
        (
            "queue: search name (common)",
            "agent",
            f"{queue}?q={fixture.common_name.lower()}",
            "/agents/demandes/SJ-",
        ),
        ("queue: search name (partial)", "agent", f"{queue}?q=ngu", None),
        ("queue: next page", "agent", f"{queue}?after=NEXT", None),
        ("queue: deep page (middle)", "agent", f"{queue}?after={fixture.deep_cursor}", None),
        ("queue: deep page, previous", "agent", f"{queue}?before={fixture.deep_cursor}", None),
        ("agent: application view", "agent", f"/agents/demandes/{fixture.reference}/", None),
    ]
    if fixture.dashboard:
        views.append(("supervisor dashboard", "supervisor", fixture.dashboard, None))
    return [
        {"name": name, "who": who, "url": url, "expect": expect} for name, who, url, expect in views
    ]


class Session:
    def __init__(self, base: str):
        import requests

        self.base = base
        self.http = requests.Session()

    def get(self, path: str):
        return self.http.get(self.base + path, allow_redirects=False, timeout=120)

    def post(self, path: str, data: dict):
        return self.http.post(self.base + path, data=data, allow_redirects=False, timeout=120)

    def login_applicant(self, identifier: str) -> None:
        form = self.get("/connexion/")
        answer = self.post(
            "/connexion/",
            {
                "csrfmiddlewaretoken": csrf(form.text),
                "identifier": identifier,
                "password": PROBE_PASSWORD,
            },
        )
        if answer.status_code != 302:
            raise RuntimeError(f"applicant {identifier} could not log in ({answer.status_code})")

    def login_agent(self, identifier: str) -> None:
        from django_otp.oath import TOTP

        for attempt in range(2):
            form = self.get("/agents/connexion/")
            answer = self.post(
                "/agents/connexion/",
                {
                    "csrfmiddlewaretoken": csrf(form.text),
                    "identifier": identifier,
                    "password": PROBE_PASSWORD,
                    "code": TOTP(bytes.fromhex(PROBE_TOTP_KEY_HEX)).token(),
                },
            )
            if answer.status_code == 302:
                return
            if not attempt:  # a code is used once per device: the next one comes within 30 s
                time.sleep(31)
        said = re.findall(r'class="fr-alert[^"]*"[^>]*>\s*(?:<[^>]+>\s*)*([^<]+)', answer.text)
        raise RuntimeError(f"agent {identifier} could not log in ({answer.status_code}: {said})")


def wizard_post(session: Session, reference: str) -> object:
    """Save the 'personal' step again with what it holds (a real validated save)."""
    url = f"/demarches/{reference}/etape/personal/"
    form = session.get(url)
    fields = dict(re.findall(r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"', form.text))
    fields = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    from html import unescape

    data = {k: unescape(v) for k, v in fields.items()}
    data["csrfmiddlewaretoken"] = csrf(form.text)
    return session.post(url, data)


def resolve(page: dict, fixture, context: dict) -> str:
    url = page["url"].replace("{reference}", context.get("reference", ""))
    return url.replace("NEXT", str(context.get("next", "")))


def request_once(session: Session, page: dict, context: dict):
    if page["url"] == "POST":
        answer = wizard_post(session, context["draft"])
        return answer, answer.status_code == 302
    answer = session.get(resolve(page, None, context))
    expected = page["expect"]
    if expected:
        expected = expected.replace("{reference}", context.get("reference", ""))
    ok = answer.status_code == 200 and (not expected or expected in answer.text)
    return answer, ok


def measure(page: dict, sessions: list, contexts: list, repeats: int) -> dict:
    timings, errors = [], []
    lock = threading.Lock()

    def client(index):
        session, context = sessions[index], contexts[index]
        for _ in range(repeats):
            started = time.perf_counter()
            try:
                answer, ok = request_once(session, page, context)
                status = answer.status_code
            except Exception as error:  # noqa: BLE001 (reported as an error of the run)
                ok, status = False, repr(error)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if not ok:
                    errors.append(status)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(sessions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return {
        "requests": len(timings),
        "errors": errors,
        "p50": statistics.median(timings),
        "p95": timings[max(0, round(0.95 * len(timings)) - 1)],
        "max": timings[-1],
    }


def query_counts(fixture, page_list, contexts) -> dict:
    """Queries per request, counted in-process on the same database."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.accounts.models import User

    clients = {None: Client()}
    applicant = Client()
    applicant.post(
        "/connexion/", {"identifier": fixture.applicants[0][0], "password": PROBE_PASSWORD}
    )
    clients["applicant"] = applicant
    clients["draft"] = Client()
    clients["draft"].post(
        "/connexion/", {"identifier": fixture.drafts[0][0], "password": PROBE_PASSWORD}
    )
    # Staff sessions are opened directly: their login page is measured over HTTP, and a
    # second login here would reuse the authenticator code the HTTP phase just spent.
    for role, identifier in (("agent", fixture.agents[9]), ("supervisor", fixture.supervisor)):
        user = User.objects.get(identifier=identifier)
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
        if client.get("/agents/").status_code != 200:
            raise RuntimeError(f"{identifier} has no working staff session to count queries")
        clients[role] = client
    context = {**contexts[0], "reference": fixture.applicants[0][1]}
    counts = {}
    for page in page_list:
        client = clients[page["who"]]
        for attempt in range(2):  # the first warms caches up
            if page["url"] == "POST":
                from html import unescape

                url = f"/demarches/{fixture.drafts[0][1]}/etape/personal/"
                form = client.get(url).content.decode()
                pattern = r'<input[^>]*name="([a-z_]+)"[^>]*value="([^"]*)"'
                data = {k: unescape(v) for k, v in re.findall(pattern, form)}
                with CaptureQueriesContext(connection) as queries:
                    client.post(url, data)
            else:
                with CaptureQueriesContext(connection) as queries:
                    client.get(resolve(page, None, context))
            if attempt:
                counts[page["name"]] = (len(queries.captured_queries), database_ms(queries))
    return counts


def database_ms(queries) -> float:
    """The database's own time for a page's reads: EXPLAIN ANALYZE of each SELECT."""
    import json

    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            total += plan[0]["Execution Time"]
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", default=None)
    parser.add_argument("--repeats", type=int, default=40, help="requests per page at 1 client")
    parser.add_argument("--repeats-8", type=int, default=10, help="requests per client at 8")
    parser.add_argument(
        "--only", action="append", default=[], help="measure only pages whose name has this"
    )
    args = parser.parse_args(argv)
    url = checked_url(os.environ.get("SCALE_DATABASE_URL"))
    os.environ.update(
        {k: v for k, v in server_environment(url, 0).items() if k not in ("SITE_URL",)}
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sejour.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # the harness runs on the code being measured
    call_command("collectstatic", verbosity=0, interactive=False)
    fixture = Fixture()
    small = fixture.counts["applications"] < 200_000
    output = Path(args.output or ROOT / "bench/results" / f"scale-{'small' if small else '1m'}.md")
    port = free_port()
    log = open(ROOT / "var" / "scale-probe-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "sejour.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_environment(url, port),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        import requests

        for _ in range(100):
            try:
                if requests.get(base + "/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not answer")
        load_before = os.getloadavg()
        page_list = [
            page
            for page in pages(fixture)
            if page["name"] == "healthz"
            or not args.only
            or any(o in page["name"] for o in args.only)
        ]
        results = {}
        for clients in (1, 8):
            sessions, contexts = [], []
            for index in range(clients):
                by_role = {}
                identifier, reference = fixture.applicants[index % len(fixture.applicants)]
                applicant = Session(base)
                applicant.login_applicant(identifier)
                draft_identifier, draft = fixture.drafts[index % len(fixture.drafts)]
                drafter = Session(base)
                drafter.login_applicant(draft_identifier)
                agent = Session(base)
                # Agent 1 for one client, agents 2-9 for eight, agent 10 in-process: a
                # code is used once per device, so no two logins share an agent.
                agent.login_agent(fixture.agents[0 if clients == 1 else 1 + index])
                by_role = {None: Session(base), "applicant": applicant, "draft": drafter}
                by_role["agent"] = agent
                if fixture.dashboard:
                    supervisor = Session(base)
                    if clients == 1 or index == 0:
                        supervisor.login_agent(fixture.supervisor)
                    by_role["supervisor"] = supervisor
                first = agent.get("/agents/").text
                cursor = re.search(r'href="\?after=(\d+)"', first)
                sessions.append(by_role)
                contexts.append(
                    {
                        "reference": reference,
                        "draft": draft,
                        "next": cursor.group(1) if cursor else "",
                    }
                )
                # One authenticator code per agent per 30 s: the supervisor logs in once.
            if fixture.dashboard and clients > 1:
                for by_role in sessions[1:]:
                    by_role["supervisor"] = sessions[0]["supervisor"]
            repeats = args.repeats if clients == 1 else args.repeats_8
            for page in page_list:
                chosen = [by_role[page["who"]] for by_role in sessions]
                measure(page, chosen, contexts, 2)  # warm-up
                results[clients, page["name"]] = measure(page, chosen, contexts, repeats)
                print(
                    f"{clients} client(s) {page['name']:<40} "
                    f"p50 {results[clients, page['name']]['p50']:7.1f} ms "
                    f"p95 {results[clients, page['name']]['p95']:7.1f} ms "
                    f"errors {len(results[clients, page['name']]['errors'])}",
                    flush=True,
                )
        load_after = os.getloadavg()
        queries = query_counts(fixture, page_list, contexts)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    errors = sum(len(result["errors"]) for result in results.values())
    output.write_text(
        report(fixture, page_list, results, queries, load_before, load_after, errors),
        encoding="utf-8",
    )
    print(f"written: {output}; errors: {errors}")
    return 1 if errors else 0


def report(fixture, page_list, results, queries, load_before, load_after, errors) -> str:
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH)
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    floor = {clients: results[clients, "healthz"]["p50"] for clients in (1, 8)}
    lines = [
        f"# Scale run ({fixture.counts['applications']:,} applications)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit `{commit}` by "
        "`bench/scale/probe.py`: gunicorn with 2 workers, PostgreSQL, "
        f"{os.cpu_count()} cores shared with other work. Load average (1, 5, 15 min) "
        f"before: {', '.join(f'{x:.2f}' for x in load_before)}; "
        f"after: {', '.join(f'{x:.2f}' for x in load_after)}.",
        "",
        "Data (bench/scale/seed.py): "
        + ", ".join(f"{name} {count:,}" for name, count in fixture.counts.items())
        + f"; {fixture.paris_filed:,} filed applications in the Paris queue.",
        "",
        "Times in ms. *× floor* is the page's p50 over `/healthz`'s p50 at the same "
        "concurrency, in the same run. *Queries* are counted per request in-process on "
        "the same database; *DB ms* is the database's own time for that request's reads "
        "(the sum of `EXPLAIN ANALYZE` of each SELECT, after a warm-up): the rest of a "
        "page's time is Python (middleware, view, template) and waiting for a core.",
        "",
        "| Page | Queries | DB ms | p50 (1) | p95 (1) | × floor (1) | p50 (8) | p95 (8) "
        "| × floor (8) | Errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in page_list:
        one, eight = results[1, page["name"]], results[8, page["name"]]
        lines.append(
            f"| {page['name']} | {queries[page['name']][0]} | {queries[page['name']][1]:.1f} "
            f"| {one['p50']:.1f} | {one['p95']:.1f} | {one['p50'] / floor[1]:.1f} "
            f"| {eight['p50']:.1f} | {eight['p95']:.1f} | {eight['p50'] / floor[8]:.1f} "
            f"| {len(one['errors']) + len(eight['errors'])} |"
        )
    lines += ["", "## Targets (issue 14)", ""]
    misses = []
    for page in page_list:
        name = page["name"]
        one = results[1, name]
        if name.startswith("queue") or name == "supervisor dashboard":
            if one["p95"] > QUEUE_P95_MS:
                misses.append(f"{name}: p95 {one['p95']:.0f} ms > {QUEUE_P95_MS} ms at 1 client")
            if one["p50"] / floor[1] > QUEUE_FLOOR_RATIO:
                misses.append(
                    f"{name}: {one['p50'] / floor[1]:.1f}× the floor > {QUEUE_FLOOR_RATIO}×"
                )
        if name.startswith("processing times") and one["p95"] > PROCESSING_TIMES_P95_MS:
            misses.append(f"{name}: p95 {one['p95']:.0f} ms > {PROCESSING_TIMES_P95_MS} ms")
    eight_errors = sum(len(results[8, page["name"]]["errors"]) for page in page_list)
    lines.append(
        f"- Every queue view{' and the dashboard' if fixture.dashboard else ''}: p95 ≤ "
        f"{QUEUE_P95_MS} ms at 1 client and p50 ≤ {QUEUE_FLOOR_RATIO}× the floor; "
        f"processing times p95 ≤ {PROCESSING_TIMES_P95_MS} ms; no error at 8 clients."
    )
    if not fixture.dashboard:
        lines.append("- The supervisor dashboard does not exist in this commit: not measured.")
    lines.append(f"- Errors at 8 clients: {eight_errors}; in the whole run: {errors}.")
    lines.append("- Not met: " + ("; ".join(misses) if misses else "none — every target is met."))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
