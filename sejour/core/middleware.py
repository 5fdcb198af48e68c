from django.conf import settings
from django.middleware.gzip import GZipMiddleware


class PermissionsPolicyMiddleware:
    """Séjour needs no camera, microphone, location or payment API: say so to the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class CompressTextMiddleware(GZipMiddleware):
    """Gzip pages and other text answers; leave files that are already compressed alone.

    Django's GZipMiddleware pads each answer with up to 100 random bytes
    ("Heal the BREACH"), and the CSRF token in every form is masked anew on
    each response: a BREACH attacker, who compares the lengths of many
    answers, learns nothing stable. Static files never reach it (WhiteNoise
    answers first, with files compressed at collectstatic). Uploaded images,
    PDFs and archives gain nothing from a second compression, so only text is
    compressed.
    """

    compressible = ("text/", "application/json", "application/xml", "image/svg+xml")

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "")
        if not content_type.startswith(self.compressible):
            return response
        return super().process_response(request, response)
