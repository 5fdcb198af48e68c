from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("aide/", views.help_index, name="help"),
    path("nous-contacter/", views.contact, name="contact"),
    path("healthz", views.healthz, name="healthz"),
]
