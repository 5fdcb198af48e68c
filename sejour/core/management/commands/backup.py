from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sejour.core.backup import BackupError, backup_make


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format), every stored file and a manifest "
        "with their checksums into a new directory (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", type=Path, help="A new or empty directory.")
        parser.add_argument(
            "--signing-keys",
            action="store_true",
            help="Also write the attestations' private signing keys (signing-keys.txt, 0600).",
        )

    def handle(self, *args, target, signing_keys, **options):
        try:
            manifest = backup_make(target=target, with_signing_keys=signing_keys)
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{n} {name}" for name, n in manifest["counts"].items())
        self.stdout.write(
            f"Backup written to {target}: {counts}, {len(manifest['files'])} stored files."
        )
