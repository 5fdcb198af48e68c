from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return render(request, "core/home.html")


def help_index(request):
    return render(request, "core/help.html")


def contact(request):
    return render(request, "core/contact.html", {"support_phone": settings.SUPPORT_PHONE})


def healthz(request):
    """For the load balancer: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
