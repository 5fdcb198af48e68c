from django.shortcuts import redirect
from django.urls import reverse


class TemporaryPasswordMiddleware:
    """A person with a temporary password must choose their own before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {
                reverse("accounts:password_change"),
                reverse("accounts:logout"),
                reverse("set_language"),
            }
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password_change")
        return self.get_response(request)


def language_at_login(sender, request, user, **kwargs):
    """At login the account's language becomes the page's (every way of logging in).

    An account that kept none takes the one its pages were read in before logging in
    (the cookie of the switch, else the browser's), so that the worker's later
    messages are in it too. The
    cookie itself is set on the response by AccountLanguageMiddleware.
    """
    from django.conf import settings
    from django.utils import translation

    from sejour.core.middleware import BACK_OFFICE_PREFIXES

    from .languages import language_supported
    from .services import account_language_set

    if request is None or request.path.startswith(BACK_OFFICE_PREFIXES):
        # Staff logging in, or a support agent opening a person's space: the browser's
        # language is the agent's, neither the person's choice nor theirs to change.
        return
    kept = language_supported(user.language)
    if not kept:
        chosen = language_supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if not chosen and request.headers.get("Accept-Language"):
            # Never used the switch: the language their browser asked the pages in.
            chosen = language_supported(translation.get_language_from_request(request))
        if chosen:
            account_language_set(user=user, language=chosen, by=user)
        return
    request.account_language = kept
    translation.activate(kept)
    request.LANGUAGE_CODE = kept


class AccountLanguageMiddleware:
    """Sets the language cookie to the account's language on the response of a login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        language = getattr(request, "account_language", "")
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
