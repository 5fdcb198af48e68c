from django.tasks import task

from .services import offers_expire, reminders_send, tallies_recount


@task
def run_collection_jobs() -> dict:
    """Hourly: offers from the waiting list not taken in time pass on; appointments two
    days ahead are reminded (each once, however often this runs)."""
    result = {"expired": offers_expire(), "reminded": reminders_send()}
    tallies_recount()
    return result
