"""The link a person receives when a support agent opened their account with them.

Django's reset tokens hash the last login, so they are spent as soon as anyone
logs in to the account — and the support agent does exactly that, to file with
the person, right after creating it: the person's first click used to say "used
or expired". This token hashes the password instead (still unusable until the
person chooses one), so it is spent by choosing a password and by nothing else,
and it lasts ACCOUNT_WELCOME_LINK_MAX_AGE (the person may be home days later).
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class WelcomeTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "sejour.accounts.tokens.WelcomeTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{timestamp}{user.email}"

    def check_token(self, user, token):
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > settings.ACCOUNT_WELCOME_LINK_MAX_AGE:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


welcome_token_generator = WelcomeTokenGenerator()
