from django.urls import path

from . import views

app_name = "attestations"

urlpatterns = [
    path("verifier/", views.verify, name="verify_form"),
    path("verifier/<str:token>/", views.verify, name="verify"),
]
