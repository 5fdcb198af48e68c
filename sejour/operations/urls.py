from django.urls import path

from . import partner_views, views

app_name = "operations"

urlpatterns = [
    path("metrics", views.metrics, name="metrics"),
    path("readyz", views.readyz, name="readyz"),
    path(
        "agents/adresses-partenaires/",
        partner_views.partner_addresses,
        name="partner_addresses",
    ),
    path(
        "agents/adresses-partenaires/<int:pk>/retirer/",
        partner_views.partner_address_remove_view,
        name="partner_address_remove",
    ),
]
