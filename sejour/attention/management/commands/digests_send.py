from django.core.management.base import BaseCommand

from sejour.attention.services import digests_send


class Command(BaseCommand):
    help = (
        "E-mail each person this week's list of what needs them (not when it is empty, "
        "not twice a week, not to who turned it off); weekly, from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from sejour.attention.tasks import send_weekly_digests

            send_weekly_digests.enqueue()
            self.stdout.write("Weekly digests queued for the worker.")
            return
        self.stdout.write(f"{digests_send()} weekly digest(s) sent.")
