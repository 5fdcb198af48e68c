from django.core.management.base import BaseCommand

from sejour.attention.services import reminders_send


class Command(BaseCommand):
    help = (
        "Send the renewal reminders due today (and on days missed, a week at most); "
        "daily, from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from sejour.attention.tasks import send_renewal_reminders

            send_renewal_reminders.enqueue()
            self.stdout.write("Renewal reminders queued for the worker.")
            return
        self.stdout.write(f"{reminders_send()} renewal reminder(s) sent.")
