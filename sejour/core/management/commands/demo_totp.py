from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from sejour.core.demo import DEMO_TOTP_KEY_HEX


class Command(BaseCommand):
    help = "Development only: print the current second-factor code of the demo agents."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only with DEBUG on: demo secrets must never serve in production.")
        self.stdout.write(f"{totp(bytes.fromhex(DEMO_TOTP_KEY_HEX)):06d}")
