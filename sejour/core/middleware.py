import re

from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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


class RequestSizeLimitMiddleware:
    """Refuse a body larger than REQUEST_MAX_BYTES before anything reads a byte of it.

    The declared Content-Length decides: Django reads at most that many bytes
    (a body without one is read as empty), so nothing larger is ever taken in.
    It sits last in the list, so the page gets every header, yet it runs before
    any view or ``process_view`` (CSRF reads the form there).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            from .views import request_too_large

            return request_too_large(request)
        return self.get_response(request)


# Every answer of the employers' API (holders' names and birth dates, token auth).
API_PATH_PREFIX = "/api/"


def _token_url(request) -> bool:
    """The URL carries a secret (sign-up, sign-in and reset links, employers' links,
    attestation tokens): whatever the view shows is for the link's holder only.
    One rule on the resolved URL, so a new ``<token>`` view is covered by itself."""
    match = getattr(request, "resolver_match", None)
    return match is not None and any("token" in name for name in match.kwargs)


class PrivatePagesMiddleware:
    """Pages and files with personal data are never stored by a browser or a proxy.

    Every answer to a logged-in person, to a visitor whose session holds
    something (a sign-up under way), to a URL with a token in it, every answer
    of the API, and every file sent as a download.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # the view said so already
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (
            (user is not None and user.is_authenticated)
            or (session is not None and not session.is_empty())
            or response.has_header("Content-Disposition")
            or request.path_info.startswith(API_PATH_PREFIX)
            or _token_url(request)
        ):
            add_never_cache_headers(response)
        return response


# Languages offered to applicants only: the back-office (agents, supervisors, support,
# administration) is written and checked in French (and English), never in Arabic.
APPLICANT_ONLY_LANGUAGES = {"ar"}
BACK_OFFICE_PREFIXES = ("/agents/", "/support/", "/admin/")


class BackOfficeLanguageMiddleware:
    """On back-office pages, a language offered to applicants only falls back to French.

    The person's choice (cookie, account) is left as it is: their own pages stay in it.
    Placed right after LocaleMiddleware, which has activated the requested language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(BACK_OFFICE_PREFIXES) and (
            translation.get_language() in APPLICANT_ONLY_LANGUAGES
        ):
            translation.activate("fr")
            request.LANGUAGE_CODE = "fr"
            response = self.get_response(request)
            response.headers["Content-Language"] = "fr"
            return response
        return self.get_response(request)


# A Latin fragment in brackets inside right-to-left text: "(titre de séjour)",
# "(numéro étranger)", "Dakar (Sénégal)". Starting with a letter: "(9 digits)" is fine.
_LATIN_IN_BRACKETS = re.compile(r"\((?=[A-Za-zÀ-ÖØ-öø-ÿŒœ])([^()<>]+)\)")
# What is not text to touch: tags (attributes included) and elements whose content is
# not markup (a <bdi> there would show as text or be dropped).
_NOT_TEXT = re.compile(
    r"(<(script|style|textarea|title|option)\b.*?</\2\s*>|<!--.*?-->|<[^>]*>)",
    re.DOTALL | re.IGNORECASE,
)


# Digits in groups, as phone numbers are written ("0 806 001 620", "39 39"): in Arabic
# text the spaces between them take the sentence's direction and the groups come out in
# reverse order ("620 001 806 0") unless the number is isolated left to right.
_SPACED_NUMBER = re.compile(r"(?<![\w.,:/-])(\d{1,4}(?:[  ]\d{1,4})+)(?![\w.,:/-]?\d)")

# A fragment this short is kept on one line (rtl.css): "(titre de séjour)" never splits
# into "(titre de" and "séjour)"; a longer one may wrap, still isolated.
_SHORT_FRAGMENT = 24


def _isolated(match: re.Match) -> str:
    fragment = match.group(1)
    short = ' class="sejour-nowrap"' if len(fragment) <= _SHORT_FRAGMENT else ""
    return f"(<bdi{short}>{fragment}</bdi>)"


def bidi_isolate(html: str) -> str:
    """Isolate Latin fragments in brackets (<bdi>) in the text of a right-to-left page.

    Without it the browser's bidirectional algorithm lets the brackets take the Latin
    text's direction, and a fragment that wraps at the end of a line shows as
    "titre de) … (séjour". Isolated, the brackets follow the Arabic sentence and the
    fragment reads left to right inside them, on one line or two.
    """
    parts = _NOT_TEXT.split(html)
    out, index = [], 0
    while index < len(parts):
        text = parts[index]
        if text:
            text = _SPACED_NUMBER.sub(r'<bdi dir="ltr">\1</bdi>', text)
            text = _LATIN_IN_BRACKETS.sub(_isolated, text)
        out.append(text)
        if index + 1 < len(parts):
            out.append(parts[index + 1])  # the tag or raw element, as it was
        index += 3  # text, whole match, the raw element's name
    return "".join(out)


class BidiIsolateMiddleware:
    """Right-to-left pages: Latin words in brackets inside Arabic sentences are
    isolated, whatever wrote them (catalogue, rules' data, the person's answers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and translation.get_language_bidi()
            and not response.get("Content-Encoding")
        ):
            charset = response.charset or "utf-8"
            response.content = bidi_isolate(response.content.decode(charset)).encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
