from django.core.management.base import BaseCommand

from sejour.figures.rebuild import figures_rebuild


class Command(BaseCommand):
    help = (
        "Recount the summary tables (processing times, dashboards) from the applications "
        "and audit events (daily, from cron; and after a bulk load)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Hand the run to the task worker."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from sejour.figures.tasks import recount_figures

            recount_figures.enqueue()
            self.stdout.write("Recount queued for the worker.")
            return
        run = figures_rebuild()
        self.stdout.write(f"Summary tables recounted in {run.seconds:.1f} s.")
