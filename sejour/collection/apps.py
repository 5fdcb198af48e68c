from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    name = "sejour.collection"
    verbose_name = _("Collecting the permit")

    def ready(self):
        # An appointment to confirm is one of the things "Mon espace" lists first.
        from . import attention  # noqa: F401
        from .history import register

        # History lines are words, never event codes.
        register()
