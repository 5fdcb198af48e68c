from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sejour.accounts.models import Attempt, EmailVerification


@pytest.mark.django_db
def test_housekeeping_forgets_old_counters_and_links_only():
    old = timezone.now() - timedelta(days=30)
    Attempt.objects.create(kind=Attempt.Kind.SIGNUP, key="ip:1", created_at=old)
    Attempt.objects.create(kind=Attempt.Kind.SIGNUP, key="ip:1")
    stale, _token = EmailVerification.issue(path="residence", email="a@example.org")
    EmailVerification.objects.filter(pk=stale.pk).update(expires_at=old)
    fresh, _token = EmailVerification.issue(path="residence", email="b@example.org")

    call_command("housekeeping")

    assert Attempt.objects.count() == 1
    assert list(EmailVerification.objects.values_list("pk", flat=True)) == [fresh.pk]
