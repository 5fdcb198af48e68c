from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_reference_data(sender, using, **kwargs):
    from .reference import prefectures_sync

    prefectures_sync(using=using)


class RegistryConfig(AppConfig):
    name = "sejour.registry"
    verbose_name = _("Reference registry")

    def ready(self):
        # Prefectures are reference data, not demo data: every database has them.
        post_migrate.connect(_sync_reference_data, sender=self)
