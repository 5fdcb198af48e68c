from django.core.management.base import BaseCommand

from sejour.collection.services import (
    offers_expire,
    offers_to_waiting,
    reminders_send,
    tallies_recount,
)


class Command(BaseCommand):
    help = (
        "Pass on the waiting-list offers not taken in time, book a slot for the ready "
        "permits without one, send the reminders of "
        "appointments two days ahead (each once), recount the permits waiting; hourly, from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from sejour.collection.tasks import run_collection_jobs

            run_collection_jobs.enqueue()
            self.stdout.write("Collection jobs queued for the worker.")
            return
        expired = offers_expire()
        offered = offers_to_waiting()
        reminded = reminders_send()
        tallies_recount()
        self.stdout.write(
            f"{expired} offer(s) passed on, {offered} waiting permit(s) booked, "
            f"{reminded} reminder(s) sent."
        )
