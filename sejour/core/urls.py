from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", views.help_index, name="help"),
    path("aide/tarifs/", views.fees, name="fees"),
    path("aide/timbre-fiscal/", views.stamps, name="stamps"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
]
