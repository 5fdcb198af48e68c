from django.core.management.base import BaseCommand

from sejour.attestations.services import coverage_ensure_all


class Command(BaseCommand):
    help = (
        "Issue or renew the ADPs and ADFs so that nobody waits without a valid document "
        "(daily, from cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from sejour.attestations.tasks import ensure_coverage

            ensure_coverage.enqueue()
            self.stdout.write("Coverage run queued for the worker.")
            return
        count = coverage_ensure_all()
        self.stdout.write(f"{count} attestation(s) issued.")
