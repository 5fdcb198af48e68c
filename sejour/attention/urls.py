from django.urls import path

from . import views

app_name = "attention"

urlpatterns = [
    path("mon-espace/preferences/", views.preferences, name="preferences"),
]
