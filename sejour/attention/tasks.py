from django.tasks import task

from .services import digests_send, reminders_send


@task
def send_renewal_reminders() -> int:
    """Daily: the renewal reminders due since the last run."""
    return reminders_send()


@task
def send_weekly_digests() -> int:
    """Weekly: the digest of what needs each person (none when nothing does)."""
    return digests_send()
