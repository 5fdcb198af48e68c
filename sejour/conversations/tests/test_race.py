"""A message sent while the application changes status is never lost: either it is
saved before the change, or it waits for the change's lock and is refused with a
message (the form keeps the draft). PostgreSQL only: SQLite has no row locks."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from sejour.applications.models import Application, Status
from sejour.applications.services import ApplicationError, application_withdraw
from sejour.conversations import services
from sejour.conversations.models import Message
from sejour.instruction.tests.test_access_and_queue import make_filed

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def send_in_thread(application, by, outcome):
    def run():
        try:
            outcome["message"] = services.message_send(
                application=application, body="Bonjour", by=by
            )
        except ApplicationError as error:
            outcome["refused"] = str(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_message_waits_for_a_withdrawal_in_progress_and_is_refused_clearly(
    registry_person,
):
    filed = make_filed(registry_person, "7500000971", 90)
    outcome = {}
    with transaction.atomic():
        application_withdraw(
            application=Application.objects.get(pk=filed.pk), by=filed.applicant, reason=""
        )
        thread = send_in_thread(filed, filed.applicant, outcome)
        time.sleep(0.5)
        assert thread.is_alive()  # waiting for the withdrawal's lock
    thread.join(10)
    assert "Your message was not sent." in outcome["refused"]
    assert not Message.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_a_message_sent_first_is_kept_when_the_application_is_then_withdrawn(registry_person):
    filed = make_filed(registry_person, "7500000972", 90)
    outcome = {}
    with transaction.atomic():
        # The message holds the lock first (as if its request came first) ...
        locked = Application.objects.select_for_update().get(pk=filed.pk)
        thread = send_in_thread(filed, filed.applicant, outcome)
        time.sleep(0.3)
        assert thread.is_alive()
    thread.join(10)
    assert outcome["message"].pk
    # ... then the withdrawal: the message stays, the wait for an answer ends.
    application_withdraw(application=locked, by=filed.applicant, reason="")
    filed.refresh_from_db()
    assert filed.status == Status.WITHDRAWN and filed.awaiting_answer_since is None
    assert Message.objects.get().body == "Bonjour"
