from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User
from .services import account_unlock


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["identifier", "visa_number", "last_name", "first_names", "role", "prefecture"]
    list_filter = ["role", "prefecture", "is_active"]
    search_fields = ["identifier", "visa_number", "last_name", "email"]
    list_select_related = ["prefecture"]
    readonly_fields = ["password", "last_login", "date_joined", "email_verified_at"]
    exclude = ["groups", "user_permissions"]
    actions = ["unlock"]

    @admin.action(description=_("Lift the login lockout"))
    def unlock(self, request, queryset):
        count = sum(
            account_unlock(user=user, by=request.user, reason="lifted by an administrator")
            for user in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
