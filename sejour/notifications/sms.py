"""SMS gateways. Every SMS is first an outbox row; a gateway only delivers it.

- `OutboxOnlySmsGateway` (development, tests): the outbox row, shown at
  /dev/outbox/, is the whole delivery; nothing leaves the machine.
- `HttpSmsGateway` (production): POSTs JSON {"to", "text"} with a bearer token
  to SMS_GATEWAY_URL, the shape most operators' HTTP APIs accept behind a
  small adapter; a non-2xx answer raises, so the outbox retries.
"""

import json
import urllib.request
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class OutboxOnlySmsGateway:
    def send(self, to: str, text: str) -> None:
        return None


class HttpSmsGateway:
    def send(self, to: str, text: str) -> None:
        if not settings.SMS_GATEWAY_URL.startswith("https://"):
            raise OSError("SMS_GATEWAY_URL must be an https:// address")
        request = urllib.request.Request(  # noqa: S310 — https only, checked above
            settings.SMS_GATEWAY_URL,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
            },
            method="POST",
        )
        # The scheme is checked above: only https.
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise OSError(f"SMS gateway answered {response.status}")


@cache
def get_sms_gateway():
    return import_string(settings.SMS_GATEWAY)()
