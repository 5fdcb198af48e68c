from django.urls import path

from . import agent_views, views

app_name = "collection"

urlpatterns = [
    path("retrait/<str:reference>/", views.booking, name="booking"),
    path("retrait/<str:reference>/garder/", views.booking_keep, name="keep"),
    path("retrait/<str:reference>/deplacer/", views.booking_move, name="move"),
    path("retrait/<str:reference>/annuler/", views.booking_cancel, name="cancel"),
    path("retrait/<str:reference>/rendez-vous.ics", views.booking_calendar, name="calendar"),
    path("agents/retrait/", agent_views.sites, name="sites"),
    path("agents/retrait/capacite/", agent_views.capacity, name="capacity"),
    path("agents/retrait/sites/nouveau/", agent_views.site_edit, name="site_new"),
    path("agents/retrait/sites/<int:site_id>/", agent_views.site_edit, name="site_edit"),
    path("agents/retrait/sites/<int:site_id>/horaires/", agent_views.site_hours, name="hours"),
    path(
        "agents/retrait/sites/<int:site_id>/fermetures/", agent_views.site_closures, name="closures"
    ),
    path("agents/retrait/sites/<int:site_id>/jour/", agent_views.day, name="day"),
    path(
        "agents/retrait/rendez-vous/<int:booking_id>/<str:action>/",
        agent_views.booking_action,
        name="booking_action",
    ),
    path(
        "agents/retrait/sites/<int:site_id>/sans-rendez-vous/", agent_views.walk_in, name="walk_in"
    ),
    path(
        "agents/retrait/demande/<str:reference>/",
        agent_views.staff_booking,
        name="staff_booking",
    ),
]
