"""Once, after decision 0011: the open applications filed from a validated VLS-TS as
first applications become renewals (renewal tax, renewal ADP)."""

from django.core.management.base import BaseCommand

from sejour.applications.services import vls_ts_renewals_reclassify


class Command(BaseCommand):
    help = "Make the open first applications filed after a validated VLS-TS renewals."

    def handle(self, *args, **options):
        changed = vls_ts_renewals_reclassify()
        self.stdout.write(f"{changed} application(s) now treated as renewals.")
