from django.urls import path

from . import views

app_name = "instruction"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("connexion/", views.agent_login, name="login"),
    path("deconnexion/", views.agent_logout, name="logout"),
    path("demandes/<str:reference>/", views.application_view, name="application"),
    path("demandes/<str:reference>/<str:action>/", views.application_action, name="action"),
]
