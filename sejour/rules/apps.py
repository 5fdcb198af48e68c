from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_rules(sender, using, **kwargs):
    from .services import rules_sync

    rules_sync(using=using)


class RulesConfig(AppConfig):
    name = "sejour.rules"
    verbose_name = _("Rules in force")

    def ready(self):
        post_migrate.connect(_sync_rules, sender=self)
