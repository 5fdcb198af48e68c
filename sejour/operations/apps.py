from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "sejour.operations"
    verbose_name = _("Operations")

    def ready(self):
        from . import signals  # noqa: F401
