from django.core.management.base import BaseCommand

from sejour.notifications.services import outbox_deliver_due


class Command(BaseCommand):
    help = "Send every pending outbox message whose time has come (run it from cron)."

    def handle(self, *args, **options):
        count = outbox_deliver_due()
        self.stdout.write(f"{count} message(s) tried.")
