from django.urls import path

from . import changes

app_name = "changes"

urlpatterns = [
    path("", changes.start, name="start"),
    path("adresse/", changes.address, name="address"),
    path("perte-vol-deterioration/", changes.loss, name="loss"),
]
