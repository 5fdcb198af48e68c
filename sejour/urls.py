from django.contrib import admin
from django.urls import include, path

from sejour.accounts.views import language_switch
from sejour.employers.api import api as employers_api
from sejour.employers.api import documentation as employers_api_documentation
from sejour.figures.views import transparency
from sejour.instruction.door import StaffAdminSite
from sejour.notifications.views import dev_outbox

# The admin asks for the second factor too, through the agents' check and lockout.
admin.site.__class__ = StaffAdminSite

urlpatterns = [
    path("", include("sejour.core.urls")),
    path("", include("sejour.operations.urls")),
    path("", include("sejour.accounts.urls")),
    path("", include("sejour.attention.urls")),
    path("", include("sejour.collection.urls")),
    # Before the applications' and the back-office's patterns, which it extends.
    path("", include("sejour.conversations.urls")),
    path("", include("sejour.applications.urls")),
    path("changements/", include("sejour.applications.changes_urls")),
    path("", include("sejour.support.urls")),
    path("", include("sejour.attestations.urls")),
    path("", include("sejour.employers.urls")),
    path("api/v1/documentation/", employers_api_documentation, name="api_documentation"),
    path("api/v1/", employers_api.urls),
    path("agents/tableau-de-bord/", include("sejour.figures.urls")),
    path("agents/", include("sejour.instruction.urls")),
    path("langue/", language_switch, name="set_language"),
    path("transparence/", transparency, name="transparency"),
    path("dev/outbox/", dev_outbox, name="dev_outbox"),
    path("admin/", admin.site.urls),
]

# Séjour's own DSFR pages, in the person's language (sejour/core/errors.py); a form
# too large to read answers the "too large" page (413), not a bare 400.
handler400 = "sejour.core.errors.bad_request"
handler403 = "sejour.core.errors.permission_denied"
handler404 = "sejour.core.errors.page_not_found"
handler500 = "sejour.core.errors.server_error"
