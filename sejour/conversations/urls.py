from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("demarches/<str:reference>/messages/", views.conversation, name="conversation"),
    path(
        "demarches/<str:reference>/messages/pieces/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    # Agents' pages, before the back-office's own patterns (see sejour/urls.py).
    path("agents/demandes/<str:reference>/messages/", views.agent_message, name="agent_message"),
    path("agents/modeles-de-reponse/", views.templates_list, name="templates"),
    path("agents/modeles-de-reponse/<int:template_id>/", views.template_edit, name="template"),
    path(
        "agents/modeles-de-reponse/<int:template_id>/supprimer/",
        views.template_delete,
        name="template_delete",
    ),
]
