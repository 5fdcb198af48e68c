from django.contrib import admin

from .models import AnswerTemplate, Message


class ReadOnly(admin.ModelAdmin):
    """Messages are kept forever as sent: the admin shows them, nothing more."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnly):
    list_display = ("application", "side", "created_at", "read_at")
    raw_id_fields = ("application", "author")


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ("title", "prefecture", "updated_at")
    list_filter = ("prefecture",)
