"""'Mon espace' says what needs the person first: one item per situation, most urgent
first, each with its deadline and one link; nothing to do → it says so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.applications.models import Status
from sejour.attention.models import NoticePreferences
from sejour.attention.providers import PROVIDERS, AttentionItem, provider
from sejour.attention.selectors import attention_list
from sejour.attestations.models import Attestation

from .helpers import application_for

pytestmark = pytest.mark.django_db


def kinds(user) -> list[str]:
    return [item.kind for item in attention_list(user=user, today=timezone.localdate())]


def with_phone(user):
    NoticePreferences.objects.create(user=user, mobile_phone="+33612345678")
    user.refresh_from_db()
    return user


@pytest.fixture
def settled(registry_person):
    """A permit holder whose document ends in two years and who gave a mobile number."""
    from sejour.conftest import _applicant

    return with_phone(_applicant(registry_person, "7500000099", ends_in_days=730))


def test_nothing_to_do_says_so(client, settled):
    assert kinds(settled) == []
    client.force_login(settled)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Nothing needs you right now" in page
    assert "data-attention>" not in page


def test_open_window_gives_its_dates_and_one_link(client, applicant):
    with_phone(applicant)
    (item,) = attention_list(user=applicant, today=timezone.localdate())
    assert item.kind == "renewal_open"
    assert item.link_url == reverse("applications:new")
    assert item.due_on is not None and item.due_on < timezone.localdate() + timedelta(days=90)
    client.force_login(applicant)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Your filing window is open" in page
    assert reverse("applications:new") in page


def test_open_window_with_a_draft_links_to_the_draft(applicant):
    with_phone(applicant)
    draft = application_for(applicant, status=Status.DRAFT)
    (item,) = attention_list(user=applicant, today=timezone.localdate())
    assert draft.reference in item.link_url


def test_late_window_is_the_most_urgent(registry_person):
    from sejour.conftest import _applicant

    late = _applicant(registry_person, "7500000098", ends_in_days=20)
    (first, second) = attention_list(user=late, today=timezone.localdate())
    assert first.kind == "renewal_late"
    assert first.due_on == timezone.localdate() + timedelta(days=20)
    assert second.kind == "mobile_phone" and second.due_on is None


def test_nothing_about_the_window_once_filed(applicant):
    with_phone(applicant)
    application_for(applicant, status=Status.UNDER_INSTRUCTION)
    assert kinds(applicant) == []


def test_a_withdrawn_application_does_not_count_as_filed(applicant):
    with_phone(applicant)
    application_for(applicant, status=Status.WITHDRAWN)
    assert kinds(applicant) == ["renewal_open"]


def test_documents_requested_with_their_deadline_come_first(client, applicant):
    due = timezone.localdate() + timedelta(days=10)
    application = application_for(applicant, status=Status.WAITING_APPLICANT, reply_due_on=due)
    items = attention_list(user=applicant, today=timezone.localdate())
    assert [item.kind for item in items] == ["documents_requested", "mobile_phone"]
    assert items[0].due_on == due
    assert items[0].link_url == reverse("applications:complement", args=[application.reference])
    client.force_login(applicant)
    page = client.get(reverse("accounts:home")).content.decode()
    assert application.reference in page
    assert reverse("applications:complement", args=[application.reference]) in page


def test_a_permit_to_collect(settled):
    application = application_for(settled, status=Status.PERMIT_AVAILABLE)
    (item,) = attention_list(user=settled, today=timezone.localdate())
    assert item.kind == "permit_to_collect"
    assert item.link_url == reverse("collection:booking", args=[application.reference])


def test_a_new_attestation_until_its_holder_downloads_it(client, settled, media_root):
    from django.core.files.base import ContentFile

    application = application_for(settled, status=Status.FILED)
    attestation = Attestation.objects.create(
        application=application, kind=Attestation.Kind.FILING, holder_name="Amina DIALLO"
    )
    attestation.file.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    (item,) = attention_list(user=settled, today=timezone.localdate())
    assert item.kind == "attestation"
    assert attestation.number in item.link_url
    client.force_login(settled)
    assert client.get(item.link_url).status_code == 200
    assert kinds(settled) == []


def test_an_agent_opening_the_attestation_does_not_make_it_old(
    client, settled, agent_paris, media_root
):
    from django.core.files.base import ContentFile

    application = application_for(settled, status=Status.FILED)
    attestation = Attestation.objects.create(
        application=application, kind=Attestation.Kind.FILING, holder_name="Amina DIALLO"
    )
    attestation.file.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    client.force_login(agent_paris)
    url = reverse(
        "applications:attestation_download", args=[application.reference, attestation.number]
    )
    assert client.get(url).status_code == 200
    assert kinds(settled) == ["attestation"]


def test_an_old_or_replaced_attestation_is_not_new(settled, media_root):
    from django.core.files.base import ContentFile

    application = application_for(settled, status=Status.FILED)
    old = Attestation.objects.create(
        application=application, kind=Attestation.Kind.ADP, holder_name="A"
    )
    old.file.save("a.pdf", ContentFile(b"%PDF"), save=True)
    Attestation.objects.filter(pk=old.pk).update(issued_at=timezone.now() - timedelta(days=40))
    assert kinds(settled) == []


def test_no_mobile_number_asks_for_it(registry_person):
    from sejour.conftest import _applicant

    user = _applicant(registry_person, "7500000097", ends_in_days=730)
    (item,) = attention_list(user=user, today=timezone.localdate())
    assert item.kind == "mobile_phone"
    assert item.link_url == reverse("attention:preferences")


def test_most_urgent_first(applicant):
    soon = timezone.localdate() + timedelta(days=3)
    application_for(
        applicant,
        status=Status.WAITING_APPLICANT,
        reply_due_on=soon,
        ends_on=timezone.localdate() + timedelta(days=400),
        procedure="address_change",
    )
    items = attention_list(user=applicant, today=timezone.localdate())
    assert [item.kind for item in items] == ["documents_requested", "renewal_open", "mobile_phone"]


def test_another_app_plugs_in_its_own_items(settled):
    @provider
    def waiting_message(context):
        return [
            AttentionItem(
                kind="message",
                title="A message",
                detail="",
                link_url="/x/",
                link_label="Read",
                due_on=context.today,
            )
        ]

    try:
        assert kinds(settled) == ["message"]
    finally:
        PROVIDERS.remove(waiting_message)


def test_a_person_sees_only_their_own_list(client, applicant, other_applicant):
    due = timezone.localdate() + timedelta(days=10)
    mine = application_for(applicant, status=Status.WAITING_APPLICANT, reply_due_on=due)
    client.force_login(other_applicant)
    page = client.get(reverse("accounts:home")).content.decode()
    assert mine.reference not in page
    assert "The prefecture asks you for documents" not in page


def test_staff_get_no_list_and_no_settings(client, agent_paris):
    client.force_login(agent_paris)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "What needs you" not in page
    assert client.get(reverse("attention:preferences")).status_code == 404


def test_the_list_costs_a_bounded_number_of_queries(
    client, applicant, django_assert_max_num_queries, media_root
):
    """Queries do not grow with the applications or attestations a person holds."""
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            attention_list(
                user=type(applicant).objects.get(pk=applicant.pk), today=timezone.localdate()
            )
        return len(captured)

    application_for(applicant, status=Status.WAITING_APPLICANT, reply_due_on=timezone.localdate())
    one = count()
    for _ in range(10):
        application = application_for(
            applicant, status=Status.WAITING_APPLICANT, reply_due_on=timezone.localdate()
        )
        attestation = Attestation.objects.create(
            application=application, kind=Attestation.Kind.FILING, holder_name="A"
        )
        attestation.file.save("a.pdf", ContentFile(b"%PDF"), save=True)
    assert count() == one
    assert one <= 6  # applications, document, attestations, settings, messages, rules
    client.force_login(applicant)
    with django_assert_max_num_queries(one + 8):  # session, user, the page's own reads
        assert client.get(reverse("accounts:home")).status_code == 200
