from django.urls import path

from sejour.attestations.views import attestation_download
from sejour.documents.views import file_download

from . import views

app_name = "applications"

urlpatterns = [
    path("demarches/", views.dashboard, name="dashboard"),
    path("demarches/nouvelle/", views.new, name="new"),
    path("demarches/nouvelle/<str:motive>/", views.presentation, name="presentation"),
    path(
        "demarches/pieces/<str:motive>/<str:procedure>.pdf",
        views.requirements_pdf,
        name="requirements_pdf",
    ),
    path("demarches/<str:reference>/", views.detail, name="detail"),
    path("demarches/<str:reference>/etape/<str:slug>/", views.step, name="step"),
    path("demarches/<str:reference>/ephoto/", views.ephoto, name="ephoto"),
    path(
        "demarches/<str:reference>/pieces/<str:code>/ajouter/",
        views.file_upload,
        name="file_upload",
    ),
    path("demarches/<str:reference>/fichiers/<int:file_id>/", file_download, name="file_download"),
    path(
        "demarches/<str:reference>/fichiers/<int:file_id>/retirer/",
        views.file_remove,
        name="file_remove",
    ),
    path(
        "demarches/<str:reference>/attestations/<str:number>.pdf",
        attestation_download,
        name="attestation_download",
    ),
    path("demarches/<str:reference>/retirer/", views.withdraw, name="withdraw"),
    path("demarches/<str:reference>/complement/", views.complement, name="complement"),
]
