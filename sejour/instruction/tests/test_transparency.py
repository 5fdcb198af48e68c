from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.audit.models import AuditEvent

from .test_access_and_queue import make_filed


@pytest.mark.django_db
def test_median_processing_time_per_prefecture_and_motive(client, registry_person):
    now = timezone.now()
    for index, days in enumerate([10, 20, 40, 5]):
        application = make_filed(registry_person, f"75000005{index:02d}", 60)
        submitted = AuditEvent.objects.create(
            action="application.submitted", application=application
        )
        decided = AuditEvent.objects.create(action="application.decide", application=application)
        AuditEvent.objects.filter(pk=submitted.pk).update(created_at=now - timedelta(days=days))
        AuditEvent.objects.filter(pk=decided.pk).update(created_at=now)
    # A group with too few decisions is not shown.
    lone = make_filed(registry_person, "7500000599", 60, motive="visitor")
    AuditEvent.objects.create(action="application.submitted", application=lone)
    AuditEvent.objects.create(action="application.decide", application=lone)
    page = client.get(reverse("transparency")).content.decode()
    assert "Préfecture de police" in page
    assert "<td>4</td><td>15</td>" in page.replace("\n", "")
    assert "Visitor" not in page.split("<tbody>")[1]
