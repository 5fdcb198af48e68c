"""Checks are kept for the legal period, then the housekeeping job deletes them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from sejour.audit.models import AuditEvent
from sejour.employers.models import CheckRequest
from sejour.employers.services import check_request_create

pytestmark = pytest.mark.django_db


def _check(member, created_at):
    today = timezone.localdate()
    check = check_request_create(
        employer=member.employer, by=member.user, foreign_number="7500000001",
        document_valid_from=today, document_valid_until=today, job_start=today,
        contract_type="permanent",
    )  # fmt: skip
    CheckRequest.objects.filter(pk=check.pk).update(created_at=created_at)
    return check


def test_housekeeping_forgets_old_api_counters_and_links(bakery, bakery_token):
    from sejour.employers.models import ApiToken, ApiUsage, EmployerLink

    token = ApiToken.objects.get()
    now = timezone.now()
    ApiUsage.objects.create(token=token, minute=now - timedelta(hours=2), count=5)
    current = ApiUsage.objects.create(token=token, minute=now.replace(second=0), count=1)
    EmployerLink.objects.create(
        purpose="signup", token_hash="x" * 64, email="a@b.example", siret="1",
        expires_at=now - timedelta(days=8),
    )  # fmt: skip
    call_command("housekeeping", stdout=StringIO())
    assert list(ApiUsage.objects.all()) == [current]
    assert not EmployerLink.objects.exists()


def test_the_legal_period_is_a_setting_of_five_years():
    assert settings.EMPLOYER_CHECK_RETENTION_DAYS == 5 * 365


def test_housekeeping_deletes_checks_past_the_legal_period_only(bakery, applicant, settings):
    settings.EMPLOYER_CHECK_RETENTION_DAYS = 30
    now = timezone.now()
    old = _check(bakery, now - timedelta(days=31))
    recent = _check(bakery, now - timedelta(days=29))
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "1 employer's check(s) past the legal period deleted" in out.getvalue()
    assert list(CheckRequest.objects.values_list("reference", flat=True)) == [recent.reference]
    event = AuditEvent.objects.get(action="employer_check.purged")
    assert event.data["count"] == 1
    assert old.reference not in str(event.data)
