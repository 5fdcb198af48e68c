from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sejour.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import language_at_login

        user_logged_in.connect(language_at_login, dispatch_uid="sejour.accounts.language_at_login")
