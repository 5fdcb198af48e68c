"""Every URL of the site × every kind of person, checked against one declared table.

A URL added without an entry in EXPECTED makes `test_every_url_has_an_entry` fail.
Object URLs are built with the owner's objects, so every other persona tries
them as an outsider (IDOR).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sejour.accounts.models import User
from sejour.applications import services as application_services
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations.services import attestation_filing_issue
from sejour.conftest import PASSWORD, TOTP_KEY_HEX, png_bytes
from sejour.conversations.models import AnswerTemplate
from sejour.conversations.services import message_send

PERSONAS = ["anonymous", "owner", "other", "agent", "other_agent", "supervisor", "support", "admin"]
APPLICANTS = ("owner", "other")
AGENTS = ("agent", "supervisor")
STAFF = ("agent", "other_agent", "supervisor", "support", "admin")


def every(code):
    return dict.fromkeys(PERSONAS, code)


def but(base, **overrides):
    return {**base, **overrides}


PUBLIC = every(200)
APPLICANT_AREA = but(every(404), anonymous=302, owner=200, other=200)
OWN_OBJECT = but(every(404), anonymous=302, owner=200)
# Files: the owner and the competent prefecture's agents; nobody else learns they exist.
OWN_FILE = but(every(404), owner=200, agent=200, supervisor=200)
AGENT_AREA = but(every(403), anonymous=302, agent=200, supervisor=200, other_agent=200)
AGENT_OBJECT = but(AGENT_AREA, other_agent=404)
SUPPORT_AREA = but(every(403), anonymous=302, support=200)
LOGGED_IN = but(every(200), anonymous=302)
# Employers' pages: none of these personas is an employer (employers/tests cover employers).
EMPLOYER_AREA = but(every(403), anonymous=302)
HOLDER_AREA = but(every(403), anonymous=302, owner=200, other=200)
# The API: GET without a token (401), or a POST-only operation (405).
API_TOKEN_NEEDED = every(401)

# GET answers. "token" URLs get a made-up token: they must refuse it cleanly.
EXPECTED = {
    "core:home": PUBLIC,
    "core:help": PUBLIC,
    "core:fees": PUBLIC,
    "core:stamps": PUBLIC,
    "core:accessibility": PUBLIC,
    "core:healthz": PUBLIC,
    # Probes and the scrape answer to machines, not people: readiness for anyone; the
    # metrics only with a token or from allowed networks, off here (operations tests).
    "operations:readyz": PUBLIC,
    "operations:metrics": every(404),
    # Partner addresses: supervisors, for their own prefecture (operations/tests/test_limits.py).
    "operations:partner_addresses": but(every(403), anonymous=302, supervisor=200),
    "operations:partner_address_remove": every(405),
    "accounts:signup_start": PUBLIC,
    "accounts:signup_residence": PUBLIC,
    "accounts:signup_visa": PUBLIC,
    "accounts:signup_email": every(302),  # nothing to confirm yet: back to the start
    "accounts:signup_email_sent": PUBLIC,
    "accounts:ineligible": PUBLIC,
    "accounts:verify": every(400),
    "accounts:login": but(every(302), anonymous=200),
    "accounts:logout": every(405),
    "accounts:visa_login": PUBLIC,
    "accounts:visa_login_confirm": every(400),
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_confirm": every(400),
    "accounts:welcome_password": every(400),
    "accounts:password_change": LOGGED_IN,
    "accounts:home": LOGGED_IN,
    "accounts:my_data": APPLICANT_AREA,
    "attention:preferences": APPLICANT_AREA,
    "accounts:help_existing_account": PUBLIC,
    "accounts:help_where_is_my_number": PUBLIC,
    "applications:dashboard": APPLICANT_AREA,
    "applications:new": APPLICANT_AREA,
    "applications:presentation": APPLICANT_AREA,
    "applications:requirements_pdf": PUBLIC,
    "applications:detail": OWN_OBJECT,
    "applications:step": OWN_OBJECT,
    "applications:ephoto": but(OWN_OBJECT, owner=405, other=405),
    "applications:file_upload": but(OWN_OBJECT, owner=405, other=405),
    "applications:file_download": OWN_FILE,
    "applications:file_remove": but(
        OWN_OBJECT, owner=405, other=405
    ),  # POST only: GET reveals nothing
    "applications:attestation_download": OWN_FILE,
    "applications:withdraw": OWN_OBJECT,
    "applications:complement": but(OWN_OBJECT, owner=302),  # nothing asked: back to the application
    "conversations:conversation": OWN_OBJECT,
    "conversations:attachment": OWN_FILE,
    "conversations:agent_message": but(AGENT_AREA, agent=405, supervisor=405, other_agent=405),
    # Answer templates: the supervisors of the template's prefecture.
    "conversations:templates": but(every(403), anonymous=302, supervisor=200),
    "conversations:template": but(every(403), anonymous=302, supervisor=200),
    "conversations:template_delete": but(  # POST only: GET reveals nothing
        every(403), anonymous=302, supervisor=405, agent=405, other_agent=405
    ),
    "changes:start": APPLICANT_AREA,
    "changes:address": APPLICANT_AREA,
    "changes:loss": APPLICANT_AREA,
    "support:contact": PUBLIC,
    "support:tickets": SUPPORT_AREA,
    "support:ticket": SUPPORT_AREA,
    "support:ticket_close": but(SUPPORT_AREA, support=405),
    "support:screenshot": SUPPORT_AREA,
    "support:assistance": SUPPORT_AREA,
    "support:assistance_end": every(405),
    "attestations:verify_form": PUBLIC,
    "attestations:verify": PUBLIC,
    "instruction:queue": AGENT_AREA,
    "instruction:login": PUBLIC,
    "instruction:logout": every(405),
    "instruction:application": AGENT_OBJECT,
    "instruction:action": but(AGENT_AREA, agent=405, supervisor=405, other_agent=405),
    # A supervisor's dashboard: their own prefecture only (tested further in figures/tests).
    "figures:dashboard_home": but(every(403), anonymous=302, supervisor=302),
    "figures:dashboard": but(every(403), anonymous=302, supervisor=200),
    "figures:uncovered": but(every(403), anonymous=302, supervisor=200),
    "set_language": every(302),
    "transparency": PUBLIC,
    "dev_outbox": every(404),  # DEBUG is off
    "admin:index": but(every(302), admin=200),
    "employers:landing": PUBLIC,
    "employers:signup": PUBLIC,
    "employers:link_sent": PUBLIC,
    "employers:link": every(410),  # a made-up link
    "employers:login": PUBLIC,
    "employers:logout": every(405),
    "employers:space": EMPLOYER_AREA,
    "employers:check_new": EMPLOYER_AREA,
    "employers:check": EMPLOYER_AREA,
    "employers:check_pdf": EMPLOYER_AREA,
    "employers:team": EMPLOYER_AREA,
    "employers:member_remove": EMPLOYER_AREA,
    "employers:tokens": EMPLOYER_AREA,
    "employers:token_revoke": EMPLOYER_AREA,
    "employers:verify": PUBLIC,
    "employers:agent_queue": AGENT_AREA,
    "employers:agent_check": AGENT_OBJECT,
    "employers:holder_checks": HOLDER_AREA,
    "employers:holder_report": but(HOLDER_AREA, other=404),
    "api_documentation": PUBLIC,
    "api-v1:api-root": every(404),  # nothing at the root: the operations are below it
    "api-v1:openapi-json": PUBLIC,
    "api-v1:check_create": every(405),
    "api-v1:check_read": API_TOKEN_NEEDED,
    "api-v1:check_pdf": API_TOKEN_NEEDED,
    # Collecting the permit: the holder of the ready permit only; the desk and the
    # staff booking for the competent prefecture's agents; settings for its supervisors.
    "collection:booking": OWN_OBJECT,
    "collection:calendar": OWN_OBJECT,
    "collection:keep": but(every(405), anonymous=302),  # POST only: GET reveals nothing
    "collection:move": but(every(405), anonymous=302),
    "collection:cancel": but(every(405), anonymous=302),
    "collection:sites": AGENT_AREA,
    "collection:capacity": but(every(403), anonymous=302, supervisor=200),
    "collection:site_new": but(every(403), anonymous=302, supervisor=200),
    "collection:site_edit": but(every(403), anonymous=302, supervisor=200),
    "collection:hours": but(every(403), anonymous=302, supervisor=200),
    "collection:closures": but(every(403), anonymous=302, supervisor=200),
    "collection:day": AGENT_OBJECT,
    "collection:booking_action": but(AGENT_AREA, agent=405, supervisor=405, other_agent=405),
    "collection:walk_in": but(AGENT_AREA, agent=405, supervisor=405, other_agent=405),
    "collection:staff_booking": AGENT_OBJECT,
}
# The admin's own pages are Django's, guarded by the same site: checked through admin:index.
IGNORED_PREFIXES = ("admin:",)

# State-changing requests an outsider tries on the owner's objects: never allowed.
OUTSIDER_POSTS = [
    ("applications:step", {"last_name": "X"}),
    ("applications:ephoto", {"code": "X"}),
    ("applications:file_upload", {}),
    ("applications:file_remove", {}),
    ("applications:withdraw", {"confirm": "on"}),
    ("applications:complement", {}),
    ("instruction:action", {"decision": "favourable", "reasons": "x"}),
    ("conversations:conversation", {"body": "x"}),
    ("conversations:agent_message", {"body": "x"}),
    ("conversations:template", {"title": "x", "body": "x"}),
    ("conversations:template_delete", {}),
    ("support:ticket", {"message": "x"}),
    ("support:ticket_close", {}),
    ("collection:keep", {}),
    ("collection:move", {"slot": "1|2030-01-07T09:00:00+00:00"}),
    ("collection:cancel", {"reason": "x"}),
    ("collection:booking_action", {}),
    ("collection:walk_in", {"reference": "x"}),
    ("collection:staff_booking", {"cancel": "1"}),
]


def url_names():
    names = []

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}{pattern.name}")

    walk(get_resolver())
    return names


def test_every_url_has_an_entry():
    missing = [
        name
        for name in url_names()
        if name not in EXPECTED and not name.startswith(IGNORED_PREFIXES)
    ]
    assert missing == [], f"add these URLs to EXPECTED: {missing}"


def _client_for(user, otp=False):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if otp:
        device = TOTPDevice.objects.create(user=user, name="m", key=TOTP_KEY_HEX, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _employer_check_waiting_for_paris():
    """A check of the owner's number that the Paris prefecture must answer."""
    from datetime import date

    from sejour.employers.models import Employer
    from sejour.employers.services import check_request_create

    employer = Employer.objects.create(siret="73282932000074", name="Boulangerie Dupain")
    return check_request_create(
        employer=employer,
        by=None,
        foreign_number="7500000001",
        document_valid_from=date(2000, 1, 1),  # not the registry's dates
        document_valid_until=date(2000, 1, 2),
        job_start=date(2030, 1, 1),
        contract_type="permanent",
    )


@pytest.fixture
def world(
    applicant,
    other_applicant,
    agent_paris,
    agent_rhone,
    supervisor_paris,
    support_agent,
    ephoto_codes,
    clamd,
    media_root,
):
    from sejour.support.services import ticket_create

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    attestation = attestation_filing_issue(application_id=application.pk)
    ticket = ticket_create(
        category="other",
        message="Help",
        email="a@example.org",
        name="",
        page_url="",
        happened_at="",
        screenshots=[SimpleUploadedFile("s.png", png_bytes())],
    )
    admin = User.objects.create_superuser("admin", PASSWORD, email="admin@example.org")
    employer_check = _employer_check_waiting_for_paris()
    message = message_send(
        application=application,
        body="Une question",
        uploaded=SimpleUploadedFile("s.png", png_bytes()),
        by=applicant,
    )
    template = AnswerTemplate.objects.create(
        prefecture=supervisor_paris.prefecture,
        title="Bonjour",
        body="Bonjour,",
        updated_by=supervisor_paris,
    )
    from datetime import time

    from sejour.collection.services import booking_offer_first
    from sejour.collection.tests.helpers import ready_permit, site

    collection_site = site(weekdays=range(7), hours=((time(0), time(23, 45)),))
    ready = ready_permit(applicant)
    booking = booking_offer_first(application=ready, by=None)
    clients = {
        "anonymous": Client(),
        "owner": _client_for(applicant),
        "other": _client_for(other_applicant),
        "agent": _client_for(agent_paris, otp=True),
        "other_agent": _client_for(agent_rhone, otp=True),
        "supervisor": _client_for(supervisor_paris, otp=True),
        "support": _client_for(support_agent, otp=True),
        "admin": _client_for(admin, otp=True),
    }
    reference = application.reference
    supporting_file = application.files.first()
    kwargs = {
        "accounts:verify": ["made-up"],
        "accounts:visa_login_confirm": ["made-up"],
        "accounts:password_reset_confirm": ["MQ", "made-up"],
        "accounts:welcome_password": ["MQ", "made-up"],
        "conversations:conversation": [reference],
        "conversations:attachment": [reference, message.attachments.get().pk],
        "conversations:agent_message": [reference],
        "conversations:template": [template.pk],
        "conversations:template_delete": [template.pk],
        "applications:presentation": ["student"],
        "applications:requirements_pdf": ["student", "renewal"],
        "applications:detail": [reference],
        "applications:step": [reference, "personal"],
        "applications:ephoto": [reference],
        "applications:file_upload": [reference, "passport"],
        "applications:file_download": [reference, supporting_file.pk],
        "applications:file_remove": [reference, supporting_file.pk],
        "applications:attestation_download": [reference, attestation.number],
        "applications:withdraw": [reference],
        "applications:complement": [reference],
        "support:ticket": [ticket.reference],
        "support:ticket_close": [ticket.reference],
        "support:screenshot": [ticket.reference, ticket.screenshots.get().pk],
        "attestations:verify": ["made-up"],
        "instruction:application": [reference],
        "instruction:action": [reference, "decide"],
        "figures:dashboard": ["75"],
        "figures:uncovered": ["75"],
        "employers:link": ["made-up"],
        "employers:check": [employer_check.reference],
        "employers:check_pdf": [employer_check.reference],
        "employers:member_remove": [1],
        "employers:token_revoke": [1],
        "employers:verify": ["made-up"],
        "employers:agent_check": [employer_check.reference],
        "employers:holder_report": [employer_check.reference],
        "api-v1:check_create": ["73282932000074"],
        "api-v1:check_read": ["73282932000074", employer_check.reference],
        "api-v1:check_pdf": ["73282932000074", employer_check.reference],
        "operations:partner_address_remove": [1],
        "collection:booking": [ready.reference],
        "collection:calendar": [ready.reference],
        "collection:keep": [ready.reference],
        "collection:move": [ready.reference],
        "collection:cancel": [ready.reference],
        "collection:site_edit": [collection_site.pk],
        "collection:hours": [collection_site.pk],
        "collection:closures": [collection_site.pk],
        "collection:day": [collection_site.pk],
        "collection:booking_action": [booking.pk, "arrived"],
        "collection:walk_in": [collection_site.pk],
        "collection:staff_booking": [ready.reference],
    }
    return clients, kwargs, application


@pytest.mark.django_db
def test_every_url_answers_each_persona_as_declared(world):
    clients, kwargs, _application = world
    wrong = []
    for name, expected in EXPECTED.items():
        url = reverse(name, args=kwargs.get(name, []))
        for persona in PERSONAS:
            status = clients[persona].get(url).status_code
            if status != expected[persona]:
                wrong.append(f"{name} {persona}: {status}, expected {expected[persona]}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_outsiders_cannot_change_what_is_not_theirs(world):
    clients, kwargs, application = world
    outsiders = {
        "applications:": ("anonymous", "other", "agent", "other_agent", "support", "admin"),
        "instruction:": ("anonymous", "owner", "other", "other_agent", "support", "admin"),
        "support:": ("anonymous", "owner", "other", "agent", "admin"),
        "conversations:conversation": ("anonymous", "other", "agent", "other_agent", "support"),
        "conversations:agent": ("anonymous", "owner", "other", "other_agent", "support", "admin"),
        "conversations:template": ("anonymous", "owner", "other", "agent", "other_agent"),
        "collection:keep": ("anonymous", "other", "agent", "other_agent", "support", "admin"),
        "collection:move": ("anonymous", "other", "agent", "other_agent", "support", "admin"),
        "collection:cancel": ("anonymous", "other", "agent", "other_agent", "support", "admin"),
        "collection:booking_action": (
            "anonymous",
            "owner",
            "other",
            "other_agent",
            "support",
            "admin",
        ),
        "collection:walk_in": ("anonymous", "owner", "other", "other_agent", "support", "admin"),
        "collection:staff_booking": (
            "anonymous",
            "owner",
            "other",
            "other_agent",
            "support",
            "admin",
        ),
    }
    wrong = []
    for name, data in OUTSIDER_POSTS:
        url = reverse(name, args=kwargs[name])
        for prefix, personas in outsiders.items():
            if not name.startswith(prefix):
                continue
            for persona in personas:
                status = clients[persona].post(url, data).status_code
                allowed = {302} if persona == "anonymous" else {403, 404}
                if status not in allowed:
                    wrong.append(f"{name} {persona}: {status}")
    assert wrong == [], "\n".join(wrong)
    application.refresh_from_db()
    assert application.status == "filed"
    assert not application.files.filter(removed_at__isnull=False).exists()
    assert application.messages.count() == 1  # the owner's, made with the world
    assert AnswerTemplate.objects.filter(title="Bonjour").exists()
    from sejour.collection.models import Booking

    assert Booking.objects.get(status__in=Booking.HOLDING).status == Booking.Status.OFFERED


@pytest.mark.django_db
def test_state_changing_requests_need_the_csrf_token(world):
    _clients, kwargs, _application = world
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(identifier="7500000001")
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    posts = [
        reverse("accounts:logout"),
        reverse("applications:step", args=kwargs["applications:step"]),
        reverse("applications:withdraw", args=kwargs["applications:withdraw"]),
        reverse("applications:file_remove", args=kwargs["applications:file_remove"]),
        reverse("applications:ephoto", args=kwargs["applications:ephoto"]),
        reverse("changes:address"),
        reverse("support:contact"),
        reverse("set_language"),
        reverse("accounts:password_change"),
        reverse("collection:keep", args=kwargs["collection:keep"]),
        reverse("collection:move", args=kwargs["collection:move"]),
        reverse("collection:cancel", args=kwargs["collection:cancel"]),
    ]
    for url in posts:
        assert client.post(url, {"language": "en"}).status_code == 403, url
