from django.urls import path

from . import views

app_name = "figures"

urlpatterns = [
    path("", views.dashboard_home, name="dashboard_home"),
    path("<str:department>/", views.dashboard, name="dashboard"),
    path("<str:department>/sans-attestation/", views.uncovered, name="uncovered"),
]
