from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "sejour.conversations"
    verbose_name = _("Conversations")

    def ready(self):
        # A message waiting is one of the things "Mon espace" lists first.
        from . import attention  # noqa: F401
