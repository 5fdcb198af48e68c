from django.tasks import task

from .services import outbox_deliver, outbox_deliver_due


@task
def deliver_outbox_message(message_id: int) -> None:
    outbox_deliver(message_id=message_id)


@task
def deliver_due_outbox_messages() -> int:
    return outbox_deliver_due()
