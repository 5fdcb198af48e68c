"""The conversation of an application, both sides: writing, answering with a
template, attachments checked and scanned, the e-mail without content, the
histories, read-only once ended, bad input refused with the draft kept, outsiders
404, and a constant number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sejour.applications.models import Application, Status
from sejour.applications.services import ApplicationError
from sejour.audit.models import AuditEvent
from sejour.conftest import TOTP_KEY_HEX, outbox_text, pdf_bytes, png_bytes
from sejour.conversations import selectors, services
from sejour.conversations.models import AnswerTemplate, Message
from sejour.instruction.tests.test_access_and_queue import make_filed
from sejour.notifications.models import OutboxMessage

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


def client_for(user, otp=False) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    if otp:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="m", defaults={"key": TOTP_KEY_HEX, "confirmed": True}
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def filed(registry_person):
    """A filed application in Paris, its applicant able to log in."""
    return make_filed(registry_person, "7500000901", 90)


def url(application) -> str:
    return reverse("conversations:conversation", args=[application.reference])


def agent_url(application) -> str:
    return reverse("instruction:application", args=[application.reference])


@pytest.mark.django_db
def test_applicant_asks_with_a_screenshot_and_the_agent_answers_with_a_template(
    filed, agent_paris, supervisor_paris
):
    applicant = filed.applicant
    person = client_for(applicant)
    response = person.post(
        url(filed),
        {
            "body": "Bonjour, mon récépissé n'est pas arrivé. <script>alert(1)</script>",
            "attachment": SimpleUploadedFile("écran.png", png_bytes()),
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.side == Message.Side.APPLICANT and message.author == applicant
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png" and attachment.original_name == "écran.png"
    assert attachment.file.name.startswith("messages/") and "SJ-" not in attachment.file.name
    filed.refresh_from_db()
    assert filed.awaiting_answer_since == message.created_at
    # The script is shown as text, on both sides.
    page = person.get(reverse("applications:detail", args=[filed.reference])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page

    AnswerTemplate.objects.create(
        prefecture=agent_paris.prefecture,
        title="Récépissé en cours",
        body="Votre récépissé est en préparation.",
        updated_by=supervisor_paris,
    )
    agent = client_for(agent_paris, otp=True)
    view = agent.get(agent_url(filed)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view
    assert "Récépissé en cours" in view
    template = AnswerTemplate.objects.get()
    filled = agent.get(agent_url(filed), {"template": template.pk}).content.decode()
    assert "Votre récépissé est en préparation.</textarea>" in filled
    # The agent opens the screenshot from the application view.
    download = agent.get(reverse("conversations:attachment", args=[filed.reference, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()

    response = agent.post(
        reverse("conversations:agent_message", args=[filed.reference]),
        {"body": "Votre récépissé est en préparation. Il arrive cette semaine."},
    )
    assert response.status_code == 302 and response.url.endswith("#messages")
    answer = Message.objects.get(side=Message.Side.PREFECTURE)
    assert answer.author == agent_paris and answer.waited_seconds is not None
    filed.refresh_from_db()
    assert filed.awaiting_answer_since is None

    # The e-mail carries a link only: no name, no text, no motive.
    email = OutboxMessage.objects.get(recipient=applicant.email)
    text = outbox_text(email) + email.subject
    assert url(filed) in text
    for personal in ("préparation", applicant.last_name, applicant.full_name, "tudiant"):
        assert personal not in text

    assert [m.pk for m in selectors.unread_messages_for(applicant)] == [answer.pk]
    page = person.get(url(filed)).content.decode()
    assert "Il arrive cette semaine." in page
    assert list(selectors.unread_messages_for(applicant)) == []
    answer.refresh_from_db()
    assert answer.read_at is not None

    # Both histories: each message, audited in its own event.
    events = AuditEvent.objects.filter(application=filed, action="message.sent")
    assert [e.data["side"] for e in events.order_by("id")] == ["applicant", "prefecture"]
    detail = person.get(reverse("applications:detail", args=[filed.reference])).content.decode()
    assert "Message sent to the prefecture" in detail and "Message from the prefecture" in detail
    view = agent.get(agent_url(filed)).content.decode()
    # The prefecture's history speaks from the prefecture's side.
    assert "Message from the applicant" in view and "Message sent to the applicant" in view
    assert "Message sent to the prefecture" not in view
    assert "The applicant read the prefecture&#x27;s messages" in view
    assert "The applicant read" not in detail  # the prefecture's history only


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write your message."),
        ("   \n\t  ", "Write your message."),
        ("x" * 5001, "Your message is too long"),
    ],
)
def test_bad_messages_are_refused_next_to_the_field_with_the_draft_kept(filed, body, error):
    person = client_for(filed.applicant)
    response = person.post(url(filed), {"body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert '<p class="fr-message fr-message--error">' + error in page
    if body.strip():
        assert body in page  # the draft is kept
    assert not Message.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write your message."),
        ("   \n\t  ", "Write your message."),
        ("y" * 5001, "Your message is too long"),
    ],
)
def test_an_agents_bad_answer_is_refused_next_to_the_field_with_the_draft_kept(
    filed, agent_paris, body, error
):
    agent = client_for(agent_paris, otp=True)
    response = agent.post(
        reverse("conversations:agent_message", args=[filed.reference]), {"body": body}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p class="fr-message fr-message--error">' + error in page
    if body.strip():
        assert body + "</textarea>" in page  # the draft is kept
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.filter(recipient=filed.applicant.email).exists()


@pytest.mark.django_db
def test_an_agents_answer_is_shown_as_text_and_refused_once_the_application_ended(
    filed, agent_paris
):
    services.message_send(application=filed, body="<script>alert(2)</script>", by=agent_paris)
    person = client_for(filed.applicant)
    for address in (url(filed), reverse("applications:detail", args=[filed.reference])):
        page = person.get(address).content.decode()
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page and "<script>alert(2)" not in page
    Application.objects.filter(pk=filed.pk).update(status=Status.CLOSED)
    agent = client_for(agent_paris, otp=True)
    response = agent.post(
        reverse("conversations:agent_message", args=[filed.reference]), {"body": "Trop tard"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your message was not sent." in page and "Trop tard</textarea>" in page
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_message_of_exactly_5000_characters_is_accepted(filed):
    services.message_send(application=filed, body="é" * 5000, by=filed.applicant)
    assert len(Message.objects.get().body) == 5000


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_or_a_pdf_or_carries_a_virus_is_refused(filed):
    person = client_for(filed.applicant)
    response = person.post(
        url(filed),
        {"body": "Voici le fichier", "attachment": SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 50)},
    )
    assert response.status_code == 400
    assert "Voici le fichier" in response.content.decode()
    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    with pytest.raises(ApplicationError) as refused:
        services.message_send(
            application=filed,
            body="Voici",
            uploaded=SimpleUploadedFile("v.pdf", pdf_bytes()[:-6] + eicar + b"\n%%EOF\n"),
            by=filed.applicant,
        )
    assert refused.value.field == "attachment"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_too_many_messages_in_an_hour_are_refused_with_a_clear_message(filed, settings):
    settings.RATE_LIMIT_MESSAGES_PER_HOUR = 3
    for number in range(3):
        services.message_send(application=filed, body=f"Question {number}", by=filed.applicant)
    response = client_for(filed.applicant).post(url(filed), {"body": "Encore une question"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You have sent 3 messages in the last hour" in page
    assert "Encore une question" in page
    assert Message.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "why"),
    [
        (Status.WITHDRAWN, "This application was withdrawn"),
        (Status.HANDED_OVER, "The permit was handed over"),
        (Status.CLOSED, "The application was closed without follow-up"),
    ],
)
def test_an_ended_application_keeps_its_conversation_read_only(filed, agent_paris, status, why):
    services.message_send(application=filed, body="Une question", by=filed.applicant)
    Application.objects.filter(pk=filed.pk).update(status=status)
    person = client_for(filed.applicant)
    page = person.get(url(filed)).content.decode()
    assert why in page and "Une question" in page and 'name="body"' not in page
    view = client_for(agent_paris, otp=True).get(agent_url(filed)).content.decode()
    assert why in view and 'name="body"' not in view
    response = person.post(url(filed), {"body": "Une autre"})
    assert response.status_code == 400
    refused = response.content.decode()
    assert "Your message was not sent." in refused and "Une autre</textarea>" in refused
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_message_racing_a_change_of_status_is_checked_under_the_lock(filed):
    """The page was shown while the application was open; it was withdrawn since."""
    stale = Application.objects.get(pk=filed.pk)
    Application.objects.filter(pk=filed.pk).update(status=Status.WITHDRAWN)
    with pytest.raises(ApplicationError, match="withdrawn"):
        services.message_send(application=stale, body="Bonjour", by=filed.applicant)
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_ending_an_application_clears_its_wait_for_an_answer(filed, applicant):
    from sejour.applications.services import application_withdraw

    services.message_send(application=filed, body="Bonjour", by=filed.applicant)
    filed.refresh_from_db()
    assert filed.awaiting_answer_since is not None
    application_withdraw(application=filed, by=filed.applicant, reason="")
    filed.refresh_from_db()
    assert filed.status == Status.WITHDRAWN and filed.awaiting_answer_since is None


@pytest.mark.django_db
def test_outsiders_get_404_on_the_conversation_and_its_attachments(
    filed, other_applicant, agent_rhone, agent_paris
):
    message = services.message_send(
        application=filed,
        body="Secret",
        uploaded=SimpleUploadedFile("s.png", png_bytes()),
        by=filed.applicant,
    )
    attachment = message.attachments.get()
    attachment_url = reverse("conversations:attachment", args=[filed.reference, attachment.pk])
    other = client_for(other_applicant)
    lyon = client_for(agent_rhone, otp=True)
    assert other.get(url(filed)).status_code == 404
    assert other.post(url(filed), {"body": "Intrus"}).status_code == 404
    assert other.get(attachment_url).status_code == 404
    assert lyon.get(attachment_url).status_code == 404
    assert lyon.get(agent_url(filed)).status_code == 404
    answer = reverse("conversations:agent_message", args=[filed.reference])
    assert lyon.post(answer, {"body": "Intrus"}).status_code == 404
    assert Message.objects.count() == 1
    with pytest.raises(PermissionError):
        services.message_send(application=filed, body="Intrus", by=agent_rhone)
    with pytest.raises(PermissionError):
        services.message_send(application=filed, body="Intrus", by=other_applicant)
    # The competent prefecture and the owner do see it.
    assert client_for(agent_paris, otp=True).get(attachment_url).status_code == 200
    assert client_for(filed.applicant).get(attachment_url).status_code == 200


@pytest.mark.django_db
def test_an_attachment_is_found_only_through_its_own_application(
    registry_person, filed, agent_paris
):
    other = make_filed(registry_person, "7500000902", 90)
    message = services.message_send(
        application=other,
        body="Mon fichier",
        uploaded=SimpleUploadedFile("s.png", png_bytes()),
        by=other.applicant,
    )
    attachment = message.attachments.get()
    # The first applicant names the other's attachment under their own application.
    wrong = reverse("conversations:attachment", args=[filed.reference, attachment.pk])
    assert client_for(filed.applicant).get(wrong).status_code == 404


@pytest.mark.django_db
def test_drafts_have_no_conversation(filed):
    Application.objects.filter(pk=filed.pk).update(filed_at=None, status=Status.DRAFT)
    assert client_for(filed.applicant).get(url(filed)).status_code == 404


@pytest.mark.django_db
def test_messages_cannot_be_edited_after_sending(filed, admin_client):
    message = services.message_send(application=filed, body="Premier", by=filed.applicant)
    # No page changes a message; the admin shows them read-only.
    from django.contrib import admin

    model_admin = admin.site._registry[Message]
    assert not model_admin.has_change_permission(None, message)
    assert not model_admin.has_delete_permission(None, message)
    assert not model_admin.has_add_permission(None)


@pytest.mark.django_db
def test_the_conversation_pages_run_the_same_queries_whatever_the_number_of_messages(
    filed, agent_paris
):
    person = client_for(filed.applicant)
    agent = client_for(agent_paris, otp=True)

    def counts():
        measured = []
        for client, address in (
            (person, url(filed)),
            (person, reverse("applications:detail", args=[filed.reference])),
            (agent, agent_url(filed)),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(address).status_code == 200
            measured.append(len(queries.captured_queries))
        return measured

    def exchange(number):
        for index in range(number):
            services.message_send(
                application=filed,
                body=f"Question {index}",
                uploaded=SimpleUploadedFile("s.png", png_bytes()),
                by=filed.applicant,
            )
            services.message_send(application=filed, body=f"Réponse {index}", by=agent_paris)

    exchange(1)
    counts()  # the first visit marks the messages read
    small = counts()
    with override_settings(RATE_LIMIT_MESSAGES_PER_HOUR=100):
        exchange(6)
    counts()
    assert counts() == small


@pytest.mark.django_db
def test_an_attachment_with_a_virus_is_refused_without_the_signature_name(filed, caplog):
    from sejour.conftest import EICAR

    with pytest.raises(ApplicationError) as refused:
        services.message_send(
            application=filed,
            body="Voici",
            uploaded=SimpleUploadedFile("v.png", png_bytes() + EICAR),
            by=filed.applicant,
        )
    assert str(refused.value) == "This file was refused by the virus check."
    assert any("EICAR" in record.getMessage() for record in caplog.records)
    assert not Message.objects.exists()
