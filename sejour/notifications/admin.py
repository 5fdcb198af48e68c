from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject"]
    # The body is shown with its secrets (links, passwords, codes) hidden; the secrets never.
    fields = [
        "channel",
        "recipient",
        "subject",
        "text",
        "attachment_name",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def text(self, message: OutboxMessage) -> str:
        return message.body_hidden()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
