from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sejour.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database and file "
        "storage, which must both be empty; then check every application, document and "
        "attestation (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="The backup directory.")

    def handle(self, *args, source, **options):
        try:
            report = backup_restore(source=source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"Restored, but {len(report.problems)} problems found ({counts}).")
        self.stdout.write(f"Restored and checked: {counts}.")
