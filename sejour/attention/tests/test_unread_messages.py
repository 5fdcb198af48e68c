"""A message from the prefecture not yet read is on the list, with one link, until read."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.attention.selectors import attention_list
from sejour.conversations import services
from sejour.instruction.tests.test_access_and_queue import make_filed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clamd", "media_root")]


def test_an_unread_message_until_the_person_opens_the_conversation(
    client, registry_person, agent_paris, other_applicant
):
    application = make_filed(registry_person, "7500000901", 90)
    services.message_send(application=application, body="Merci d'envoyer…", by=agent_paris)
    services.message_send(application=application, body="Et aussi…", by=agent_paris)
    person = application.applicant
    items = [
        item
        for item in attention_list(user=person, today=timezone.localdate())
        if item.kind == "unread_message"
    ]
    assert len(items) == 1
    link = reverse("conversations:conversation", args=[application.reference])
    assert items[0].link_url == link and "2 messages" in items[0].detail
    client.force_login(other_applicant)
    assert application.reference not in client.get(reverse("accounts:home")).content.decode()
    client.force_login(person)
    assert link in client.get(reverse("accounts:home")).content.decode()
    assert client.get(link).status_code == 200
    assert "unread_message" not in [
        item.kind for item in attention_list(user=person, today=timezone.localdate())
    ]
