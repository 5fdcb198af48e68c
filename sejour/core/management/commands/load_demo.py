from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sejour.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET_BASE32, load_demo, signup_examples


class Command(BaseCommand):
    help = (
        "Development only: fill the registry and the accounts with the demo data set "
        "(safe to run twice)."
    )

    def handle(self, *args, **options):
        # The demo accounts' password and second-factor secret are published in the README:
        # loaded on a production database they would open the admin to anyone.
        if not settings.DEBUG:
            raise CommandError(
                "Only with DEBUG on: the demo accounts (an administrator included) have a "
                "published password and second-factor secret. Never load them in production."
            )
        counts = load_demo()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        self.stdout.write(f"Demo password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write("Demo employer (/employeurs/connexion/): employeur@demo.sejour.example")
        self.stdout.write(
            f"Agents' second factor (development only): TOTP secret {DEMO_TOTP_SECRET_BASE32}"
            " — or print the current code with: manage.py demo_totp"
        )
        self.stdout.write("To try a sign-up (number, start and end of validity):")
        for line in signup_examples():
            self.stdout.write(f"  {line}")
