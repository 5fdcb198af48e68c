from django.tasks import task

from .services import offers_expire, offers_to_waiting, reminders_send, tallies_recount


@task
def run_collection_jobs() -> dict:
    """Hourly: offers from the waiting list not taken in time pass on; ready permits
    without an appointment are booked one as slots come within the horizon; appointments
    two days ahead are reminded (each once, however often this runs)."""
    result = {
        "expired": offers_expire(),
        "offered": offers_to_waiting(),
        "reminded": reminders_send(),
    }
    tallies_recount()
    return result
