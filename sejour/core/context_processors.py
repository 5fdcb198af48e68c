from django.conf import settings


def site(request):
    return {"support_phone": settings.SUPPORT_PHONE, "debug": settings.DEBUG}
