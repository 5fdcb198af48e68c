"""Filing late: the notice says what the amount counts (decision 0008).

A late renewal owes the late renewal fee (CESEDA L.436-5, 180 €); a late first
application owes none, and no page, SMS or desk says otherwise.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.accounts.models import User
from sejour.applications import services
from sejour.applications.tests.helpers import step_url
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attention.selectors import attention_list
from sejour.instruction.services import amount_due
from sejour.registry.models import DocumentKind
from sejour.rules.services import fee_breakdown, late_fee_cents

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_only_a_renewal_owes_a_late_fee():
    today = timezone.localdate()
    assert late_fee_cents(procedure="renewal", motive="student", on=today) == 18000
    assert late_fee_cents(procedure="first", motive="student", on=today) == 0
    assert fee_breakdown(procedure="first", motive="student", late=True, on=today) == (
        fee_breakdown(procedure="first", motive="student", late=False, on=today)
    )


@pytest.fixture
def late_visa_holder(registry_person):
    # A VLS ending in 30 days: past its late mark (two months before it ends).
    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-300, ends_in_days=30)
    return User.objects.create_user(None, email="v@example.org", visa_number="123456789")


@pytest.mark.django_db
def test_a_late_first_application_is_told_no_late_fee_and_the_amount_has_none(
    client, late_visa_holder, ephoto_codes
):
    client.force_login(late_visa_holder)
    chooser = client.get(reverse("applications:new")).content.decode()
    assert "You are applying late" in chooser
    assert "without a late fee for a first application" in chooser
    assert "late fee is added" not in chooser and "late renewal fee" not in chooser
    presentation = client.get(reverse("applications:presentation", args=["student"]))
    assert "late fee" not in presentation.content.decode()
    assert "applying late" in presentation.content.decode()

    application = ready_to_submit(late_visa_holder, ephoto_codes["valid"])
    assert application.procedure == "first"
    confirmation = client.get(step_url(application, "confirmation")).content.decode()
    assert "No late fee applies to a first application" in confirmation
    assert (
        "Late renewal fee" not in confirmation and "is added to the amount due" not in confirmation
    )
    services.application_submit(application=application, by=late_visa_holder)
    application.refresh_from_db()
    assert application.late
    detail = client.get(reverse("applications:detail", args=[application.reference]))
    detail = detail.content.decode()
    assert "Filed late: no late fee applies to a first application." in detail
    assert "Late renewal fee" not in detail
    # The desk asks for the same amount: no late line.
    assert all("late" not in line.label.lower() for line in amount_due(application).lines)


@pytest.mark.django_db
def test_a_late_renewal_is_told_the_fee_that_the_amount_counts(
    client, registry_person, ephoto_codes
):
    from sejour.conftest import _applicant

    late = _applicant(registry_person, "7500000079", ends_in_days=30)
    client.force_login(late)
    chooser = client.get(reverse("applications:new")).content.decode()
    assert "a late renewal fee of 180\u00a0€ is added to the tax" in chooser
    application = ready_to_submit(late, ephoto_codes["valid"])
    confirmation = client.get(step_url(application, "confirmation")).content.decode()
    assert "A late renewal fee of 180\u00a0€ is added to the amount due" in confirmation
    assert "Late renewal fee" in confirmation
    services.application_submit(application=application, by=late)
    application.refresh_from_db()
    detail = client.get(reverse("applications:detail", args=[application.reference]))
    assert "a late renewal fee of 180\u00a0€ is added" in detail.content.decode()
    assert 18000 in [line.amount_cents for line in amount_due(application).lines]


@pytest.mark.django_db
def test_the_attention_list_says_the_same(late_visa_holder, registry_person):
    from sejour.conftest import _applicant

    today = timezone.localdate()
    first = attention_list(user=late_visa_holder, today=today)
    assert any("without a late fee" in item.detail for item in first)
    renewal = attention_list(
        user=_applicant(registry_person, "7500000080", ends_in_days=30), today=today
    )
    assert any("late renewal fee of 180" in item.detail for item in renewal)
    assert not any("fine" in item.detail for item in first + renewal)
