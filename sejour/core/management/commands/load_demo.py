from django.core.management.base import BaseCommand

from sejour.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET_BASE32, load_demo, signup_examples


class Command(BaseCommand):
    help = "Fill the registry and the accounts with the demo data set (safe to run twice)."

    def handle(self, *args, **options):
        counts = load_demo()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}."))
        self.stdout.write(f"Demo password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(
            f"Agents' second factor (development only): TOTP secret {DEMO_TOTP_SECRET_BASE32}"
            " — or print the current code with: manage.py demo_totp"
        )
        self.stdout.write("To try a sign-up (number, start and end of validity):")
        for line in signup_examples():
            self.stdout.write(f"  {line}")
