"""Séjour's URLs plus views that fail on purpose, for the error pages' tests."""

import datetime

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path
from django.utils import timezone

from sejour.accounts.models import User
from sejour.core.errors import TooManyRequests
from sejour.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def _suspicious(request):
    raise SuspiciousOperation("a request no browser sends")


def _denied(request):
    raise PermissionDenied


def _limited(request):
    raise TooManyRequests(timezone.now() + datetime.timedelta(minutes=5))


def _broken(request):
    User.objects.count()  # the database is down in this test: this raises
    raise RuntimeError("a fault in a view")


urlpatterns = [
    path("essai/400/", _suspicious),
    path("essai/403/", _denied),
    path("essai/429/", _limited),
    path("essai/500/", _broken),
    *urlpatterns,
]
