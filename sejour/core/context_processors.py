from django.conf import settings


def site(request):
    return {
        "support_phone": settings.SUPPORT_PHONE,
        "debug": settings.DEBUG,
        # Each language named in itself ("English", not "Anglais"): settings.LANGUAGES as
        # written, where {% get_available_languages %} would translate the names.
        "language_choices": settings.LANGUAGES,
    }
