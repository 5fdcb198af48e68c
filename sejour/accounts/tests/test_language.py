"""The person's language: kept on the account by the switch and the settings page,
restored at login, and the language of every message sent to them (issue 15 §1)."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sejour.accounts.languages import language_of
from sejour.accounts.models import User
from sejour.accounts.services import account_language_set
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD
from sejour.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME
SWITCH = reverse("set_language")
LOGIN = reverse("accounts:login")
PREFERENCES = reverse("attention:preferences")


def test_the_switch_keeps_the_choice_on_the_account_and_in_the_cookie(client, applicant):
    client.force_login(applicant)
    response = client.post(SWITCH, {"language": "ar", "next": "/mon-espace/"})
    assert response.status_code == 302 and response.url == "/mon-espace/"
    assert response.cookies[COOKIE].value == "ar"
    applicant.refresh_from_db()
    assert applicant.language == "ar"
    event = AuditEvent.objects.get(action="account.language_changed")
    assert event.subject == applicant and event.data["to"] == "ar"


def test_before_login_the_switch_only_sets_the_cookie(client, applicant):
    response = client.post(SWITCH, {"language": "en", "next": "/aide/"})
    assert response.cookies[COOKIE].value == "en" and response.url == "/aide/"
    assert not User.objects.exclude(language="").exists()


def test_the_language_of_messages_must_be_chosen(client, applicant):
    client.force_login(applicant)
    response = client.post(PREFERENCES, {"renewal_reminders": "on"})
    assert response.status_code == 200
    assert "Choose the language of your messages." in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.notice_preferences_changed").exists()


@pytest.mark.parametrize("language", ["xx", "", "ar-MA<script>", "fr" * 10])
def test_a_language_not_offered_changes_nothing(client, applicant, language):
    client.force_login(applicant)
    response = client.post(SWITCH, {"language": language, "next": "/aide/"})
    assert response.status_code == 302
    assert COOKIE not in response.cookies
    applicant.refresh_from_db()
    assert applicant.language == ""
    with pytest.raises(ValueError):
        account_language_set(user=applicant, language="xx")


def test_choosing_the_same_language_again_writes_no_event(client, applicant):
    client.force_login(applicant)
    client.post(SWITCH, {"language": "en", "next": "/"})
    client.post(SWITCH, {"language": "en", "next": "/"})
    assert AuditEvent.objects.filter(action="account.language_changed").count() == 1


def test_at_login_the_account_language_becomes_the_page_language(client, applicant):
    applicant.language = "ar"
    applicant.save()
    client.cookies[COOKIE] = "en"
    response = client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ar"
    assert '<html lang="ar" dir="rtl"' in client.get(response.url).content.decode()


def test_an_account_without_a_language_takes_the_one_chosen_before_login(client, applicant):
    client.cookies[COOKIE] = "en"
    client.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    applicant.refresh_from_db()
    assert applicant.language == "en"
    assert language_of(applicant) == "en"


def test_without_the_switch_the_browsers_language_is_kept_at_login(applicant):
    browser = Client(headers={"accept-language": "ar-MA,ar;q=0.9,fr;q=0.5"})
    browser.post(LOGIN, {"identifier": applicant.identifier, "password": PASSWORD})
    applicant.refresh_from_db()
    assert applicant.language == "ar"


def test_without_any_choice_messages_are_in_french(applicant):
    assert applicant.language == "" and language_of(applicant) == settings.LANGUAGE_CODE


def test_the_settings_page_chooses_the_language_of_messages_and_audits_it(client, applicant):
    client.force_login(applicant)
    response = client.post(PREFERENCES, {"renewal_reminders": "on", "language": "ar"})
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "ar"
    applicant.refresh_from_db()
    assert applicant.language == "ar"
    event = AuditEvent.objects.get(action="account.notice_preferences_changed")
    assert "language" in event.data["changed"]
    page = client.get(PREFERENCES).content.decode()
    assert re.search(r'type="radio" name="language" value="ar"[^>]*checked', page)
    assert '<span lang="ar">العربية</span>' in page and '<span lang="en">English</span>' in page


def test_a_language_not_offered_is_refused_next_to_the_field(client, applicant):
    client.force_login(applicant)
    response = client.post(PREFERENCES, {"language": "de"})
    assert response.status_code == 200
    assert "Choose one of the languages offered" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.language == ""


def test_outsiders_cannot_reach_the_settings_page(client, agent_paris):
    assert client.get(PREFERENCES).status_code == 302  # anonymous: to login
    client.force_login(agent_paris)
    assert client.get(PREFERENCES).status_code == 404


def test_a_support_agent_filing_for_someone_does_not_change_their_language(client, applicant):
    client.force_login(applicant)
    session = client.session
    session["assisted_by"] = "support.one"
    session.save()
    response = client.post(SWITCH, {"language": "en", "next": "/"})
    assert response.cookies[COOKIE].value == "en"  # the agent's page changes
    applicant.refresh_from_db()
    assert applicant.language == ""


# --- Messages in the recipient's language ---------------------------------------------


@pytest.mark.usefixtures("clamd", "media_root")
def test_an_agents_action_mails_the_applicant_in_the_applicants_language(
    applicant, agent_paris, agent_client, ephoto_codes, django_capture_on_commit_callbacks
):
    from sejour.instruction.tests.test_lifecycle import action, filed_application

    applicant.language = "ar"
    applicant.save()
    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = Client()
    agent.cookies[COOKIE] = "fr"
    agent_client(agent_paris, agent)
    page = agent.get(reverse("instruction:queue"))
    assert page["Content-Language"] == "fr"
    with django_capture_on_commit_callbacks(execute=True):
        assert action(agent, application, "start_instruction").status_code == 302
        deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
        response = action(
            agent,
            application,
            "request_complement",
            {"not_compliant": ["passport"], "message": "Flou.", "deadline": deadline},
        )
        assert response.status_code == 302
    sent = OutboxMessage.objects.filter(recipient=applicant.email).order_by("id")
    started, complement = sent[len(sent) - 2], sent[len(sent) - 1]
    with translation.override("ar"):
        hello = translation.gettext("Hello,")
    for message in (started, complement):
        assert hello in message.body, message.body
        assert "Bonjour" not in message.body and "Hello," not in message.body
    assert application.reference in complement.subject
    assert any("\u0600" <= char <= "\u06ff" for char in complement.subject)


def test_the_answer_to_a_contact_message_is_in_the_language_it_was_written_in(support_agent):
    from sejour.support.models import Ticket
    from sejour.support.services import ticket_answer, ticket_create

    with translation.override("en"):
        ticket = ticket_create(
            category=Ticket.Category.OTHER,
            message="Where is my permit?",
            email="someone@example.org",
            name="",
            page_url="",
            happened_at="",
            screenshots=[],
        )
    assert ticket.language == "en"
    with translation.override("fr"):  # the support agent's back-office
        ticket_answer(ticket=ticket, message="Here.", by=support_agent)
    answer = OutboxMessage.objects.filter(recipient="someone@example.org").first()
    assert answer.subject.startswith("Séjour: answer to your message")
    assert "Here is the answer to your message" in answer.body


def test_the_workers_digest_is_in_the_persons_language(applicant):
    from sejour.attention.services import digests_send

    applicant.language = "ar"
    applicant.save()
    with translation.override("fr"):  # whatever language the worker runs in
        digests_send()
    message = OutboxMessage.objects.get(recipient=applicant.email)
    with translation.override("ar"):
        assert translation.gettext("Séjour: what you need to do this week") == message.subject
        assert translation.gettext("This week, in your Séjour space:") in message.body
