from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from .models import OutboxMessage


def dev_outbox(request):
    """The development mailbox: every message Séjour would have sent."""
    if not settings.DEBUG:
        raise Http404
    messages = OutboxMessage.objects.all()[:100]
    return render(request, "notifications/dev_outbox.html", {"outbox_messages": messages})
