from datetime import timedelta

from django.core.management.base import BaseCommand

from sejour.core.taskqueue import tasks_reclaim


class Command(BaseCommand):
    help = (
        "Give back to the queue the tasks whose worker died while running them "
        "(run it from cron every minute, next to the workers)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=None,
            help="Seconds a task may run before it is reclaimed (TASKS_RUNNING_TIMEOUT_SECONDS).",
        )

    def handle(self, *args, older_than=None, **options):
        reclaimed, given_up = tasks_reclaim(
            older_than=timedelta(seconds=older_than) if older_than is not None else None
        )
        self.stdout.write(f"{reclaimed} task(s) back in the queue, {given_up} given up.")
