"""Acting for someone (issue 11 §7): the person's first password link works even
though the support agent logged in to their space, and says why it comes; both
histories say "by <agent's name> on behalf of <person>", never the agent's login."""

import re

import pytest
from django.urls import reverse

from sejour.accounts.models import User
from sejour.applications import services as application_services
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD, outbox_text
from sejour.conversations.models import Message
from sejour.notifications.models import OutboxMessage

from .test_support import assistance_code

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
NEW_PASSWORD = "another long enough passphrase 42"


@pytest.fixture
def named_support_agent(support_agent):
    User.objects.filter(pk=support_agent.pk).update(
        identifier="samia.h42", first_names="Samia", last_name="Helper"
    )
    support_agent.refresh_from_db()
    return support_agent


def open_space(support, foreign_number, document, email):
    data = {
        "foreign_number": foreign_number,
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
        "email": email,
        "consent": "on",
    }
    support.post(reverse("support:assistance"), data)
    address = User.objects.filter(identifier=foreign_number).values_list("email", flat=True)
    code = assistance_code(address.first() or email)
    response = support.post(reverse("support:assistance"), {"code": code})
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_the_first_password_link_works_after_the_agent_logged_in_and_says_why(
    client, registry_person, named_support_agent, agent_client
):
    document = registry_person(foreign_number="7500000811", first_names="Awa", last_name="Keita")
    support = agent_client(named_support_agent)
    open_space(support, "7500000811", document, "awa@example.org")
    person = User.objects.get(identifier="7500000811")
    assert person.last_login is not None  # the agent is in the person's space
    # The agent works in the space meanwhile.
    support.post(reverse("applications:presentation", args=["student"]))
    support.post(reverse("support:assistance_end"))

    email = OutboxMessage.objects.filter(recipient="awa@example.org").latest("id")
    text = outbox_text(email)
    assert "Someone asked to choose a new password" not in text
    assert "Samia HELPER" in text and "opened a Séjour account for you" in text
    link = re.search(r"http\S+/mot-de-passe/bienvenue/\S+/", text).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in link else link
    page = client.get(path)
    assert page.status_code == 200
    assert "A Séjour support agent opened this account with you" in page.content.decode()
    response = client.post(
        path, {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    # Spent by choosing the password, and by that only.
    again = client.get(path)
    assert again.status_code == 400
    assert "a password has already been chosen with it" in again.content.decode()


@pytest.mark.django_db
def test_a_reset_link_is_not_a_welcome_link(client, applicant):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(applicant.pk))
    token = default_token_generator.make_token(applicant)
    assert client.get(reverse("accounts:welcome_password", args=[uid, token])).status_code == 400


@pytest.mark.django_db
def test_both_histories_name_the_agent_on_behalf_of_the_person(
    applicant, named_support_agent, agent_paris, agent_client, ephoto_codes
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    from sejour.registry.models import ResidenceDocument

    document = ResidenceDocument.objects.get(person__foreign_number=applicant.identifier)
    support = agent_client(named_support_agent)
    open_space(support, applicant.identifier, document, applicant.email)
    url = reverse("conversations:conversation", args=[application.reference])
    assert support.post(url, {"body": "Question posée avec l'aide du support"}).status_code == 302
    message = Message.objects.get()
    assert message.author == applicant and message.on_behalf_by_name == "Samia HELPER"
    event = AuditEvent.objects.get(action="message.sent")
    assert event.data["on_behalf_by"] == named_support_agent.identifier
    assert event.data["on_behalf_by_name"] == "Samia HELPER"
    support.post(reverse("support:assistance_end"))

    expected = f"by Samia HELPER on behalf of {applicant.full_name}"
    applicant.set_password(PASSWORD)
    applicant.save()
    from django.test import Client

    person = Client()
    person.force_login(applicant)
    page = person.get(reverse("applications:detail", args=[application.reference]))
    page = page.content.decode()
    assert expected in page
    assert named_support_agent.identifier not in page  # never the agent's login
    prefecture = agent_client(agent_paris, Client())
    view = prefecture.get(reverse("instruction:application", args=[application.reference]))
    assert expected in view.content.decode()
