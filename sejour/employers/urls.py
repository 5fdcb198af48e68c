from django.urls import path

from . import views

app_name = "employers"

urlpatterns = [
    path("employeurs/", views.landing, name="landing"),
    path("employeurs/inscription/", views.signup, name="signup"),
    path("employeurs/inscription/lien-envoye/", views.link_sent, name="link_sent"),
    path("employeurs/lien/<str:token>/", views.link, name="link"),
    path("employeurs/connexion/", views.employer_login, name="login"),
    path("employeurs/deconnexion/", views.employer_logout, name="logout"),
    path("employeurs/espace/", views.space, name="space"),
    path("employeurs/verifications/nouvelle/", views.check_new, name="check_new"),
    path("employeurs/verifications/<str:reference>/", views.check_view, name="check"),
    path("employeurs/verifications/<str:reference>/reponse.pdf", views.check_pdf, name="check_pdf"),
    path("employeurs/equipe/", views.team, name="team"),
    path("employeurs/equipe/<int:pk>/retirer/", views.member_remove, name="member_remove"),
    path("employeurs/api/", views.tokens, name="tokens"),
    path("employeurs/api/<int:pk>/revoquer/", views.token_revoke, name="token_revoke"),
    path("verifier/employeur/<str:token>/", views.verify, name="verify"),
    path("agents/verifications-employeurs/", views.agent_queue, name="agent_queue"),
    path("agents/verifications-employeurs/<str:reference>/", views.agent_check, name="agent_check"),
    path("mon-espace/verifications-employeurs/", views.holder_checks, name="holder_checks"),
    path(
        "mon-espace/verifications-employeurs/<str:reference>/signaler/",
        views.holder_report,
        name="holder_report",
    ),
]
