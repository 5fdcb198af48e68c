from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from sejour.accounts.models import EmailVerification
from sejour.accounts.throttle import attempts_prune
from sejour.applications.pending import returning_marks_prune
from sejour.employers.services import checks_purge, employers_counters_prune
from sejour.notifications.services import outbox_secrets_expire


class Command(BaseCommand):
    help = (
        "Forget what is no longer needed: old attempt counters, spent or expired links, "
        "outbox secrets past their retention, expired sessions, returning marks no cookie "
        "can carry, employers' checks past their legal period."
    )

    def handle(self, *args, **options):
        attempts = attempts_prune()
        # Keep links a week after they stop working, to answer "this link was used" meanwhile.
        horizon = timezone.now() - timedelta(days=7)
        links, _by_model = EmailVerification.objects.filter(expires_at__lt=horizon).delete()
        self.stdout.write(f"{attempts} attempt(s) and {links} link(s) forgotten.")
        # No link, temporary password or code outlives OUTBOX_SECRET_RETENTION_HOURS.
        self.stdout.write(f"Secrets removed from {outbox_secrets_expire()} outbox message(s).")
        # Sessions past their end are never read again; without this they pile up forever.
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        self.stdout.write("Expired sessions cleared.")
        # A returning mark no cookie can carry any more is one row per past visitor.
        self.stdout.write(
            f"{returning_marks_prune()} returning mark(s) no cookie can carry deleted."
        )
        # Employers' checks are kept for the legal period only (EMPLOYER_CHECK_RETENTION_DAYS).
        self.stdout.write(f"{checks_purge()} employer's check(s) past the legal period deleted.")
        self.stdout.write(
            f"{employers_counters_prune()} employers' API counter(s) and link(s) forgotten."
        )
