from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructionConfig(AppConfig):
    name = "sejour.instruction"
    verbose_name = _("Instruction (prefecture back-office)")
