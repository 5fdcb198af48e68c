from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sejour.core.backup import BackupError, backup_check, backup_verify, manifest_read


class Command(BaseCommand):
    help = (
        "Check the configured database and storage: every document matches its checksum, "
        "every attestation's QR code verifies with the configured keys; with a backup "
        "directory, also that the backup is intact and everything in it is here."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, nargs="?", help="A backup directory.")

    def handle(self, *args, source, **options):
        manifest = None
        try:
            if source is not None:
                manifest = manifest_read(source)
                damaged = backup_verify(source=source)
                if damaged:
                    raise CommandError("The backup is damaged: " + "; ".join(damaged))
            report = backup_check(manifest=manifest)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {name}" for name, n in report.counts.items())
        if report.problems:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(report.problems)} problems found ({counts}).")
        self.stdout.write(f"Everything checked: {counts}.")
