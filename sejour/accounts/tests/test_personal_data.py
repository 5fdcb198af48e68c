"""The personal-data archive speaks to people: a readable summary beside the JSON,
with references, local times, statuses and events in words, and the messages sent."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from sejour.applications import services
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.notifications.models import OutboxMessage
from sejour.notifications.services import outbox_email

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.fixture
def filed(applicant, ephoto_codes, django_capture_on_commit_callbacks):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    return application


def archive_for(client, user, language="fr") -> zipfile.ZipFile:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_the_summary_is_in_the_persons_language_with_words_not_codes(client, filed):
    archive = archive_for(client, filed.applicant, "fr")
    summary = archive.read("summary.html").decode().replace("\u00a0", " ")
    assert '<html lang="fr" dir="ltr">' in summary
    assert filed.reference in summary
    assert "Étape enregistrée : Informations personnelles" in summary
    assert "Demande déposée" in summary
    for code in ("application.", "step_saved", ">filed<", "personal /", "renewal"):
        assert code not in summary
    # Local (French) time, not UTC.
    with translation.override("fr"):
        from django.utils import timezone
        from django.utils.formats import date_format

        filed_at = date_format(timezone.localtime(filed.filed_at), "j F Y H:i")
    assert filed_at in summary


@pytest.mark.django_db
def test_the_summary_reads_right_to_left_in_arabic(client, filed):
    summary = archive_for(client, filed.applicant, "ar").read("summary.html").decode()
    assert '<html lang="ar" dir="rtl">' in summary


@pytest.mark.django_db
def test_the_json_names_applications_by_reference_and_events_by_label(client, filed):
    data = json.loads(archive_for(client, filed.applicant, "en").read("my-data.json"))
    history = data["history"]
    assert {line["application"] for line in history if line["application"]} == {filed.reference}
    saved = [line for line in history if line["what"] == "application.step_saved"]
    assert saved and saved[0]["label"] == "Step saved: Personal information"
    assert data["applications"][0]["status_label"] == "Filed"
    assert history[0]["when"].endswith(("+01:00", "+02:00"))  # Paris time


@pytest.mark.django_db
def test_the_messages_sent_to_me_are_in_with_their_secrets_hidden(client, filed, other_applicant):
    with transaction.atomic():
        outbox_email(
            to=filed.applicant.email,
            language="en",
            subject="Séjour: choose a new password",
            template="accounts/email/password_reset.txt",
            context={"name": "x"},
            secret_context={"link": "https://sejour.example/secret-token-123"},
        )
        outbox_email(
            to=other_applicant.email,
            language="en",
            subject="Not yours",
            template="accounts/email/password_reset.txt",
            context={"name": "y"},
        )
    archive = archive_for(client, filed.applicant, "en")
    data = json.loads(archive.read("my-data.json"))
    subjects = [message["subject"] for message in data["messages_sent_to_me"]]
    assert "Séjour: choose a new password" in subjects
    assert "Not yours" not in subjects
    # The attestation of filing's e-mail, sent after the filing, is there too.
    assert OutboxMessage.objects.filter(recipient=filed.applicant.email).count() == len(subjects)
    summary = archive.read("summary.html").decode()
    assert "Séjour: choose a new password" in summary
    everything = summary + archive.read("my-data.json").decode()
    assert "secret-token-123" not in everything
    assert "[secret hidden]" in everything
