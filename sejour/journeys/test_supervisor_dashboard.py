"""Journey: a supervisor goes from the queue to the prefecture's dashboard, sees one
person waiting without a valid document (in red), opens the list, and the person's
application from it; a visitor reads the public processing times."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sejour.applications.models import Application, Status
from sejour.conftest import PASSWORD
from sejour.figures.rebuild import figures_rebuild
from sejour.registry.models import Prefecture

from .helpers import log_in_agent

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_supervisor_dashboard(visit, supervisor_paris, registry_person):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.accounts.models import User
    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=supervisor_paris, name="t", key=TOTP_KEY_HEX, confirmed=True)
    document = registry_person(foreign_number="7500000201", ends_in_days=-4)
    person = User.objects.create_user(
        "7500000201", None, email="p@example.org", first_names="Awa", last_name="Sow"
    )
    application = Application.objects.create(
        applicant=person,
        procedure="renewal",
        motive="student",
        status=Status.UNDER_INSTRUCTION,
        current_document={"kind": "permit", "number": document.number},
        current_document_ends_on=timezone.localdate() - timedelta(days=4),
        filed_at=timezone.now() - timedelta(days=40),
        prefecture=Prefecture.objects.get(department_code="75"),
    )
    figures_rebuild()

    page = visit.new_page()
    log_in_agent(page, "superviseur.paris", PASSWORD)
    page.get_by_role("link", name="Dashboard of the prefecture").click()
    page.get_by_role("heading", name=re.compile("Dashboard")).wait_for()
    attention = page.get_by_role("table", name="Deadlines and coverage")
    row = attention.get_by_role("row", name=re.compile("ADP coverage"))
    assert row.locator(".fr-text-default--error").inner_text() == "1"
    page.get_by_role("table", name=re.compile("Open applications by status")).wait_for()
    page.get_by_role("table", name=re.compile("Decisions recorded per agent")).wait_for()
    visit.check(page, "dashboard")
    row.get_by_role("link", name="see the list").click()
    page.get_by_role("heading", name=re.compile("without a valid document")).wait_for()
    visit.check(page, "uncovered")
    page.get_by_role("link", name=application.reference).click()
    page.get_by_role("heading", name=re.compile(application.reference)).wait_for()

    # The public figures, for anyone, from the footer.
    visitor = visit.new_page()
    visitor.goto("/")
    visitor.get_by_role("contentinfo").get_by_role("link", name="Processing times").click()
    visitor.get_by_role("table", name=re.compile("Whole of France")).wait_for()
    visit.check(visitor, "processing-times")
