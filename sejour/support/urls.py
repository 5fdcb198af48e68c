from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("nous-contacter/", views.contact, name="contact"),
    path("support/", views.tickets, name="tickets"),
    path("support/tickets/<str:reference>/", views.ticket, name="ticket"),
    path("support/tickets/<str:reference>/fermer/", views.ticket_close, name="ticket_close"),
    path("support/tickets/<str:reference>/captures/<int:pk>/", views.screenshot, name="screenshot"),
    path("support/accompagnement/", views.assistance, name="assistance"),
    path("support/accompagnement/fin/", views.assistance_end, name="assistance_end"),
]
