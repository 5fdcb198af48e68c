import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sejour.settings")

application = get_wsgi_application()


def refuse_unsafe_configuration() -> None:
    """A production process does not serve with a configuration Séjour's checks refuse.

    gunicorn does not run Django's system checks: run Séjour's here, deploy ones
    and the database one included, and stop the worker (gunicorn then exits)
    with the reasons.
    """
    from django.conf import settings
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured

    if settings.DEBUG:
        return
    problems = [
        message
        for message in checks.run_checks(
            tags=["sejour"], include_deployment_checks=True, databases=["default"]
        )
        if message.is_serious() and not message.is_silenced()
    ]
    if problems:
        raise ImproperlyConfigured(
            "Séjour refuses to start:\n" + "\n".join(f"- {problem}" for problem in problems)
        )


refuse_unsafe_configuration()
