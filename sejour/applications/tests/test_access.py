"""Who may see and change an application: its owner; who may read its files: also the
agents of the competent prefecture. Everyone else gets 404."""

import pytest
from django.urls import reverse

from sejour.applications.models import Status
from sejour.attestations.models import Attestation
from sejour.documents.models import SupportingFile

from .helpers import file_complete_application, start, step_url, upload

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.fixture
def filed(client, applicant, ephoto_codes, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    application = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        file_complete_application(client, application, ephoto_codes["valid"])
    application.refresh_from_db()
    assert application.status == Status.FILED
    client.logout()
    return application


def owner_urls(application):
    supporting_file = SupportingFile.objects.filter(application=application).first()
    attestation = Attestation.objects.get(application=application)
    reference = application.reference
    return {
        "get": [
            reverse("applications:detail", args=[reference]),
            step_url(application, "personal"),
            step_url(application, "documents"),
            reverse("applications:withdraw", args=[reference]),
            reverse("applications:file_download", args=[reference, supporting_file.pk]),
            reverse("applications:attestation_download", args=[reference, attestation.number]),
        ],
        "post": [
            step_url(application, "personal"),
            reverse("applications:withdraw", args=[reference]),
            reverse("applications:file_remove", args=[reference, supporting_file.pk]),
            reverse("applications:file_upload", args=[reference, "passport"]),
            reverse("applications:ephoto", args=[reference]),
        ],
    }


@pytest.mark.django_db
def test_owner_reaches_every_page(client, applicant, filed):
    client.force_login(applicant)
    for url in owner_urls(filed)["get"]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["other_applicant", "agent_rhone", "support_agent"])
def test_outsiders_get_404_everywhere(client, filed, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    urls = owner_urls(filed)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"reason": "x", "confirm": "on"}).status_code == 404, url
    filed.refresh_from_db()
    assert filed.status == Status.FILED
    assert not filed.files.filter(removed_at__isnull=False).exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, filed):
    for url in owner_urls(filed)["get"][:4]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url
    response = client.get(owner_urls(filed)["get"][4])
    assert response.status_code == 404


@pytest.mark.django_db
def test_agent_of_the_competent_prefecture_can_read_files_and_attestations(
    client, agent_paris, filed
):
    client.force_login(agent_paris)
    urls = owner_urls(filed)["get"]
    assert client.get(urls[4]).status_code == 200
    assert client.get(urls[5]).status_code == 200
    # But the applicant's pages and actions are the applicant's.
    assert client.get(urls[0]).status_code == 404
    assert client.post(owner_urls(filed)["post"][1], {"confirm": "on"}).status_code == 404


@pytest.mark.django_db
def test_agents_cannot_read_a_draft(client, applicant, agent_paris):
    client.force_login(applicant)
    application = start(client)
    client.post(
        step_url(application, "personal"),
        {
            "last_name": "Diallo",
            "first_names": "Amina",
            "birth_date": "2001-04-12",
            "birth_place": "Dakar",
            "nationality": "sénégalaise",
            "address": "1 rue X",
            "postcode": "75011",
            "city": "Paris",
            "phone": "",
        },
    )
    upload(client, application, "passport")
    supporting_file = SupportingFile.objects.get(application=application)
    client.force_login(agent_paris)
    url = reverse("applications:file_download", args=[application.reference, supporting_file.pk])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_file_of_another_application_cannot_be_reached_through_mine(
    client, applicant, other_applicant, filed
):
    client.force_login(other_applicant)
    mine = start(client, "talent")
    supporting_file = SupportingFile.objects.filter(application=filed).first()
    url = reverse("applications:file_download", args=[mine.reference, supporting_file.pk])
    assert client.get(url).status_code == 404
    url = reverse("applications:file_remove", args=[mine.reference, supporting_file.pk])
    assert client.post(url).status_code == 404


@pytest.mark.django_db
def test_staff_have_no_applicant_pages(client, agent_paris):
    client.force_login(agent_paris)
    assert client.get(reverse("applications:dashboard")).status_code == 404
    assert client.post(reverse("applications:presentation", args=["student"])).status_code == 404
