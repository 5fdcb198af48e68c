"""Costly requests (issue 17): crafted files, floods of uploads, files that run scripts.

Each test here fails when the protection it names is removed (docs/security.md).
"""

import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import Attempt
from sejour.applications import services as application_services
from sejour.applications.models import ReturningMark
from sejour.applications.pending import (
    PENDING_STEP_KEY,
    RETURNING_COOKIE,
    pending_owner,
    pending_step_take,
)
from sejour.applications.tests.helpers import (
    MOTIVE,
    PERSONAL,
    fill_until_documents,
    start,
    step_url,
    upload,
)
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.conftest import PASSWORD, pdf_bytes, png_bytes
from sejour.documents import validation
from sejour.documents.models import SupportingFile
from sejour.documents.services import file_add
from sejour.documents.validation import inspect_upload
from sejour.support.models import Ticket

from . import pdfs
from .test_authorisation_matrix import EXPECTED, PERSONAS, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
CODE = "passport"
# The child process may use 2 CPU seconds (6 s of wall clock); the rest is slack for
# a loaded CI machine. Unbounded, the nested-forms file took 34 s on a quiet one.
FAST_ENOUGH_SECONDS = 15


@pytest.fixture
def draft(client, applicant, settings):
    settings.UPLOAD_PDF_CPU_SECONDS = 2
    client.force_login(applicant)
    application = start(client)
    fill_until_documents(client, application)
    return application


def file_errors(response) -> str:
    forms = [item["form"] for item in response.context["requirements"]]
    return " ".join(str(error) for form in forms for error in form.errors.get("file", []))


CRAFTED = {
    "forms drawn 4^7 times": (pdfs.nested_forms, "too complex"),
    "arrays 200,000 deep": (pdfs.deep_arrays, "too complex"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(CRAFTED))
def test_a_crafted_pdf_is_refused_fast_next_to_the_field(client, draft, media_root, case):
    build, message = CRAFTED[case]
    content = build()
    started = time.monotonic()
    response = upload(client, draft, CODE, content, "crafted.pdf")
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert message in file_errors(response)
    assert elapsed < FAST_ENOUGH_SECONDS, f"{elapsed:.1f} s"
    assert not SupportingFile.objects.exists()
    assert not list(media_root.rglob("*.*"))


@pytest.mark.django_db
def test_the_nested_forms_pdf_is_small():
    # The attack costs the attacker nothing: a couple of kilobytes.
    assert len(pdfs.nested_forms()) < 3000


@pytest.mark.django_db
def test_a_pdf_with_too_many_pages_is_refused_with_the_limit(client, draft, settings):
    settings.UPLOAD_PDF_MAX_PAGES = 20
    response = upload(client, draft, CODE, pdfs.many_pages(21), "long.pdf")
    assert response.status_code == 400
    assert "more than 20 pages" in file_errors(response)
    assert upload(client, draft, CODE, pdfs.many_pages(20), "ok.pdf").status_code == 302


@pytest.mark.django_db
def test_a_pdf_with_too_many_objects_is_refused(client, draft, settings):
    settings.UPLOAD_PDF_MAX_OBJECTS = 100
    response = upload(client, draft, CODE, pdfs.many_objects(200), "objects.pdf")
    assert response.status_code == 400
    assert "too complex" in file_errors(response)
    assert upload(client, draft, CODE, pdfs.many_objects(50), "ok.pdf").status_code == 302


@pytest.mark.django_db
def test_a_pdf_over_the_memory_limit_is_refused_not_a_crash(client, draft, settings):
    settings.UPLOAD_PDF_MEMORY_BYTES = 16 * 1024 * 1024  # less than the interpreter needs
    response = upload(client, draft, CODE, pdf_bytes(), "fine.pdf")
    assert response.status_code == 400
    assert "too complex" in file_errors(response)


@pytest.mark.django_db
def test_a_pdf_check_that_runs_out_of_time_asks_to_try_again(
    client, draft, settings, tmp_path, monkeypatch
):
    # A checker that waits instead of computing (or a machine too busy to give it its
    # CPU seconds) is stopped by the wall clock; the person is told to try again, not
    # that their file is too complex, and their draft keeps everything.
    waiting = tmp_path / "waiting_probe.py"
    waiting.write_text("import time\ntime.sleep(60)\n")
    settings.UPLOAD_PDF_CPU_SECONDS = 0  # the wall-clock bound is then 4 s
    monkeypatch.setattr(validation, "PROBE", waiting)
    response = upload(client, draft, CODE, pdf_bytes(), "fine.pdf")
    assert response.status_code == 400
    assert "service is very busy" in file_errors(response)
    assert not SupportingFile.objects.filter(application=draft).exists()


def contact_with_screenshot(client, content: bytes, name: str):
    return client.post(
        reverse("support:contact"),
        {
            "category": "other",
            "message": "Voici une capture.",
            "email": "personne@example.org",
            "screenshots": [SimpleUploadedFile(name, content)],
        },
    )


@pytest.mark.django_db
@pytest.mark.parametrize("content", [pdfs.nested_forms(), pdf_bytes()], ids=["crafted", "plain"])
def test_the_contact_form_refuses_a_pdf_before_opening_it(client, content, monkeypatch):
    # No parser may start: the PDF checker is replaced by one that records its calls
    # (a timing bound here failed on a loaded machine without proving anything more).
    opened = []
    monkeypatch.setattr(validation, "_probe_pdf", lambda data: opened.append(data) or {})
    response = contact_with_screenshot(client, content, "capture.png")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Only images are accepted here" in " ".join(errors["screenshots"])
    assert opened == []
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_contact_form_still_takes_a_real_image(client):
    response = contact_with_screenshot(client, png_bytes(), "capture.png")
    assert response.status_code == 200
    assert Ticket.objects.get().screenshots.count() == 1


@pytest.mark.django_db
def test_uploads_are_limited_per_account_with_the_time_to_come_back(
    client, draft, applicant, other_applicant, settings
):
    settings.RATE_LIMIT_UPLOADS_PER_ACCOUNT = 3
    for _ in range(3):
        assert upload(client, draft, CODE, png_bytes(), "p.png").status_code == 302
    response = upload(client, draft, CODE, png_bytes(), "p.png")
    assert response.status_code == 400
    assert "many files in a short time" in file_errors(response)
    assert "try again after" in file_errors(response)
    assert SupportingFile.objects.count() == 3
    assert Attempt.objects.filter(kind=Attempt.Kind.UPLOAD, key=f"user:{applicant.pk}").exists()
    # Another person is not slowed down by the first one.
    client.force_login(other_applicant)
    theirs = start(client)
    fill_until_documents(client, theirs)
    assert upload(client, theirs, CODE, png_bytes(), "p.png").status_code == 302


# --- PDFs that run something ---------------------------------------------------------


@pytest.fixture
def filed_with(applicant, ephoto_codes, settings):
    """An application filed with one more PDF, as given."""

    def make(content: bytes):
        application = ready_to_submit(applicant, ephoto_codes["valid"])
        added = file_add(
            application=application,
            requirement_code=CODE,
            uploaded=SimpleUploadedFile("doc.pdf", content),
            is_letter=False,
            by=applicant,
        )
        application_services.application_submit(application=application, by=applicant)
        return application, added

    return make


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(pdfs.ACTIVE_FILES))
def test_a_pdf_with_scripts_is_never_framed_for_agents(filed_with, agent_paris, agent_client, case):
    application, added = filed_with(pdfs.ACTIVE_FILES[case]())
    assert added.active_content
    client = agent_client(agent_paris)
    page = client.get(reverse("instruction:application", args=[application.reference]))
    body = page.content.decode()
    inline_url = reverse("applications:file_download", args=[application.reference, added.pk])
    assert f'src="{inline_url}?inline=1"' not in body
    assert "contains scripts or automatic actions" in body
    response = client.get(inline_url + "?inline=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")


def test_escaped_names_are_read_as_what_they_spell():
    inspected = inspect_upload(SimpleUploadedFile("a.pdf", pdfs.active_pdf(pdfs.ESCAPED_NAMES)))
    assert inspected.active_content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content", [pdf_bytes(), pdfs.plain_pdf_opening_at_page_one()], ids=["plain", "open-at-page"]
)
def test_a_plain_pdf_is_previewed_inline_in_a_sandbox(
    filed_with, agent_paris, agent_client, content
):
    application, added = filed_with(content)
    assert not added.active_content
    client = agent_client(agent_paris)
    inline_url = reverse("applications:file_download", args=[application.reference, added.pk])
    body = client.get(reverse("instruction:application", args=[application.reference])).content
    assert f'src="{inline_url}?inline=1"' in body.decode()
    response = client.get(inline_url + "?inline=1")
    assert response["Content-Disposition"].startswith("inline")
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy


@pytest.mark.django_db
def test_a_pdf_kept_before_the_script_check_is_not_framed(filed_with, agent_paris, agent_client):
    # The migration marks files kept before the check as "may contain scripts".
    application, added = filed_with(pdf_bytes())
    SupportingFile.objects.filter(pk=added.pk).update(active_content=True)
    client = agent_client(agent_paris)
    url = reverse("applications:file_download", args=[application.reference, added.pk])
    assert client.get(url + "?inline=1")["Content-Disposition"].startswith("attachment")


# --- What an anonymous request may store (item 7) ----------------------------------


def session_bytes() -> int:
    return sum(len(row.session_data) for row in Session.objects.all())


@pytest.fixture
def started(applicant):
    application = application_services.application_start(applicant=applicant, motive="student")
    application_services.application_step_save(
        application=application, step="personal", data=PERSONAL, by=applicant
    )
    return application


def session_ends(client):
    """The person stays away too long: the row goes and the browser drops its cookie."""
    Session.objects.all().delete()
    client.cookies.pop(settings.SESSION_COOKIE_NAME, None)


@pytest.mark.django_db
@pytest.mark.parametrize("cookie", [None, "forged"], ids=["no cookie", "forged cookie"])
def test_an_anonymous_post_to_a_step_stores_nothing(client, started, cookie):
    if cookie:
        client.cookies[RETURNING_COOKIE] = "b3dd1f2b0c2a4e6e:1vQ2Zz:not-a-signature"
    response = client.post(
        step_url(started, "motive"), {**MOTIVE["student"], "programme": "x" * 400_000}
    )
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_a_step_sent_after_the_session_ended_is_kept_small_for_its_author(
    client, applicant, started
):
    client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert client.get(step_url(started, "motive")).status_code == 200
    assert RETURNING_COOKIE in client.cookies
    session_ends(client)
    typed = {**MOTIVE["student"], "programme": "Chimie verte"}
    # Far more than any step needs: not kept, even for its author.
    client.post(step_url(started, "motive"), {**typed, "programme": "x" * 200_000})
    assert not Session.objects.exists()
    client.post(step_url(started, "motive"), typed)
    assert Session.objects.count() == 1
    assert session_bytes() < settings.PENDING_STEP_MAX_BYTES


def returning_cookie_of(client, applicant, started) -> str:
    """Log in, open a step: the browser's returning cookie, as someone could copy it."""
    client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    client.get(step_url(started, "motive"))
    return client.cookies[RETURNING_COOKIE].value


def post_with_only(cookie: str, started, programme: str = "x" * 22_000):
    from django.test import Client

    fresh = Client()
    fresh.cookies[RETURNING_COOKIE] = cookie
    return fresh.post(step_url(started, "motive"), {**MOTIVE["student"], "programme": programme})


@pytest.mark.django_db
def test_a_copied_cookie_stores_nothing_after_logout(client, applicant, started):
    cookie = returning_cookie_of(client, applicant, started)
    client.post(reverse("accounts:logout"))
    for _ in range(30):
        post_with_only(cookie, started)
    assert not Session.objects.exists()
    assert not ReturningMark.objects.exists()


@pytest.mark.django_db
def test_a_copied_cookie_keeps_one_step_at_most(client, applicant, started):
    cookie = returning_cookie_of(client, applicant, started)
    own = set(Session.objects.values_list("session_key", flat=True))
    for _ in range(30):
        response = post_with_only(cookie, started)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    kept = Session.objects.exclude(session_key__in=own)
    assert kept.count() == 1  # used once, then worth nothing
    assert session_bytes() < len(own) * 2_000 + settings.PENDING_STEP_MAX_BYTES
    # The person's own browser gets the new nonce; a step kept with it replaces the first.
    first = kept.get().session_key
    client.cookies.pop(RETURNING_COOKIE)
    client.get(step_url(started, "motive"))
    assert client.cookies[RETURNING_COOKIE].value != cookie
    post_with_only(client.cookies[RETURNING_COOKIE].value, started, programme="Chimie verte")
    kept = Session.objects.exclude(session_key__in=own)
    assert kept.count() == 1 and kept.get().session_key != first


@pytest.mark.django_db
def test_a_kept_step_is_given_back_only_to_its_author(rf, applicant, other_applicant):
    request = rf.get("/demarches/SJ-X/etape/motive/")
    request.session = SessionStore()
    request.user = applicant
    request.session[PENDING_STEP_KEY] = {
        "path": request.path,
        "data": {"programme": ["Chimie"]},
        "owner": pending_owner(other_applicant),
    }
    assert pending_step_take(request) is None
    assert PENDING_STEP_KEY not in request.session


@pytest.mark.django_db
def test_housekeeping_clears_expired_sessions(client, applicant):
    client.force_login(applicant)
    fresh = client.session.session_key
    old = SessionStore()
    old["anything"] = "x" * 1000
    old.create()
    Session.objects.filter(session_key=old.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    call_command("housekeeping", stdout=io.StringIO())
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh]


# --- Request bodies, the data archive, caches (item 8) -----------------------------


def upload_url(application):
    return reverse("applications:file_upload", args=[application.reference, CODE])


@pytest.mark.django_db
def test_a_body_declared_over_the_cap_is_refused_before_it_is_read(client, draft):
    # 150 MB announced, a few bytes sent: reading the body would fail the test client.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        upload_url(draft),
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(150 * 1024 * 1024),
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert "Ce que vous avez envoyé est trop volumineux" in body
    assert "10 Mo" in body
    assert not Attempt.objects.filter(kind=Attempt.Kind.UPLOAD).exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        upload_url(draft),
        data=b"x" * 100,
        content_type="multipart/form-data; boundary=B",
        CONTENT_LENGTH=str(150 * 1024 * 1024),
    )
    assert "What you sent is too large" in response.content.decode()
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_a_body_over_the_cap_is_refused_and_nothing_kept(client, draft, settings, media_root):
    settings.REQUEST_MAX_BYTES = 100_000
    big = png_bytes((400, 400)) + b"\0" * 150_000
    response = upload(client, draft, CODE, big, "big.png")
    assert response.status_code == 413
    assert not SupportingFile.objects.exists()
    assert not list(media_root.rglob("*.*"))
    assert upload(client, draft, CODE, png_bytes(), "ok.png").status_code == 302


@pytest.mark.django_db
def test_form_fields_over_their_limit_give_the_same_page_not_an_error(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("support:contact"),
        {"category": "other", "message": "x" * 20_000, "email": "a@example.org"},
    )
    assert response.status_code == 413
    assert "trop volumineux" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.fixture
def filed_for_export(applicant, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    return application


def archive_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response.streaming  # written to a temporary file and streamed, never held whole
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_the_data_archive_lists_a_missing_file_instead_of_failing(
    client, applicant, filed_for_export
):
    lost, *kept = filed_for_export.files.order_by("pk")
    lost.file.storage.delete(lost.file.name)
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    archive = archive_of(client.get(reverse("accounts:my_data")))
    names = archive.namelist()
    lost_path = f"documents/{filed_for_export.reference}/{lost.pk}-{lost.requirement_code}.png"
    assert lost_path not in names
    assert all(f"/{f.pk}-{f.requirement_code}." in " ".join(names) for f in kept)
    listing = archive.read("not-included.txt").decode()
    assert lost_path in listing and "introuvable dans notre stockage" in listing
    data = json.loads(archive.read("my-data.json"))
    assert data["not_included"] == [{"in_archive": lost_path, "name": "a.png", "why": "missing"}]


@pytest.mark.django_db
def test_the_data_archive_stops_at_its_size_limit(client, applicant, filed_for_export, settings):
    first, *others = filed_for_export.files.order_by("pk")
    settings.PERSONAL_DATA_ARCHIVE_MAX_BYTES = first.size
    client.force_login(applicant)
    archive = archive_of(client.get(reverse("accounts:my_data")))
    documents = [name for name in archive.namelist() if name.startswith("documents/")]
    assert len(documents) == 1
    data = json.loads(archive.read("my-data.json"))
    assert {item["why"] for item in data["not_included"]} == {"too_large"}
    assert len(data["not_included"]) == len(others) + filed_for_export.attestations.count()


@pytest.mark.django_db
def test_every_answer_to_a_logged_in_person_is_never_stored(world):  # noqa: F811
    clients, kwargs, _application = world
    stored = []
    for name in EXPECTED:
        url = reverse(name, args=kwargs.get(name, []))
        for persona in PERSONAS:
            if persona == "anonymous":
                continue
            response = clients[persona].get(url)
            if "no-store" not in response.get("Cache-Control", ""):
                stored.append(f"{name} {persona}: {response.get('Cache-Control')}")
    assert stored == [], "\n".join(stored)


def url_patterns(resolver=None, prefix=""):
    """Every URL pattern of the site: (its route, its name, its argument names)."""
    from django.urls import URLResolver, get_resolver

    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, prefix + str(pattern.pattern))
        else:
            route = prefix + str(pattern.pattern)
            yield route, pattern.name, list(pattern.pattern.regex.groupindex)


def _sample_path(route: str) -> str:
    """A path that matches the route, with made-up values (a token nobody was given)."""
    import re

    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<(?:str:)?[^>]+>", "abc123-made-up", path)
    return "/" + path.replace("^", "").replace("$", "")


@pytest.mark.django_db
def test_every_token_url_and_every_api_answer_is_never_stored(client):
    # From the URL patterns themselves: a token view or API route added later is covered.
    private = [
        (name, _sample_path(route))
        for route, name, arguments in url_patterns()
        if not route.startswith("admin/")
        and (any("token" in argument for argument in arguments) or route.startswith("api/"))
    ]
    names = {name for name, _path in private}
    assert {"verify", "link", "password_reset_confirm", "check_read"} <= names, names
    stored = []
    for name, path in private:
        response = client.get(path)
        if "no-store" not in response.get("Cache-Control", ""):
            stored.append(f"{name} {path} {response.status_code}: {response.get('Cache-Control')}")
    assert stored == [], "\n".join(stored)


@pytest.mark.django_db
def test_the_page_behind_a_sign_up_link_is_never_stored(client):
    from sejour.accounts.models import EmailVerification

    _row, token = EmailVerification.issue(
        path=EmailVerification.Path.RESIDENCE,
        email="awa@example.org",
        foreign_number="7500000042",
        first_names="Awa",
        last_name="Diop",
    )
    response = client.get(reverse("accounts:verify", args=[token]))
    assert response.status_code == 200 and "awa@example.org" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_visitor_with_a_session_under_way_is_not_stored_others_may_be(client):
    assert "no-store" not in client.get(reverse("core:help")).get("Cache-Control", "")
    session = client.session
    session["signup"] = {"person": 1}
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert "no-store" in client.get(reverse("core:help"))["Cache-Control"]


@pytest.mark.django_db
def test_a_screenshot_shown_to_support_is_sandboxed(client, support_agent, agent_client):
    assert contact_with_screenshot(client, png_bytes(), "capture.png").status_code == 200
    shot = Ticket.objects.get().screenshots.get()
    support = agent_client(support_agent)
    response = support.get(reverse("support:screenshot", args=[shot.ticket.reference, shot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "sandbox" in [part.strip() for part in response["Content-Security-Policy"].split(";")]


class StorageFailingHalfway(FileSystemStorage):
    """A disk that gives the first bytes of a file, then an I/O error."""

    def open(self, name, mode="rb"):
        handle = super().open(name, mode)
        first = handle.read(10)
        handle.close()

        class Halfway(io.RawIOBase):
            sent = False

            def readable(self):
                return True

            def readinto(self, buffer):
                if self.sent:
                    raise OSError("I/O error")
                self.sent = True
                buffer[: len(first)] = first
                return len(first)

        return io.BufferedReader(Halfway())


@pytest.mark.django_db
def test_a_file_failing_half_way_is_listed_not_left_half_in_the_archive(
    client, applicant, filed_for_export, monkeypatch, settings
):
    field = SupportingFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", StorageFailingHalfway(location=settings.MEDIA_ROOT))
    client.force_login(applicant)
    archive = archive_of(client.get(reverse("accounts:my_data")))
    assert not [name for name in archive.namelist() if name.startswith("documents/")]
    data = json.loads(archive.read("my-data.json"))
    documents = [item for item in data["not_included"] if item["in_archive"].startswith("doc")]
    assert len(documents) == filed_for_export.files.count()
    assert {item["why"] for item in documents} == {"unreadable"}
