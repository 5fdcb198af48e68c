"""An ended session never costs the person what they were typing."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from .helpers import MOTIVE, PERSONAL, step_url

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_a_step_sent_after_the_session_ended_is_kept_until_login(client, applicant):
    from sejour.applications import services
    from sejour.conftest import PASSWORD

    application = services.application_start(applicant=applicant, motive="student")
    services.application_step_save(
        application=application, step="personal", data=PERSONAL, by=applicant
    )
    client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    assert client.get(step_url(application, "motive")).status_code == 200
    # The session ends while the person types step 2: the browser drops its cookie.
    Session.objects.all().delete()
    del client.cookies[settings.SESSION_COOKIE_NAME]
    response = client.post(
        step_url(application, "motive"), {**MOTIVE["student"], "programme": "Chimie verte"}
    )
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    response = client.post(
        response.url, {"identifier": applicant.identifier, "password": PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert response.request["PATH_INFO"] == step_url(application, "motive")
    assert 'value="Chimie verte"' in body
    assert "here is what you typed" in body
    application.refresh_from_db()
    assert "motive" not in application.answers  # not saved behind the person's back


@pytest.mark.django_db
def test_wizard_pages_say_when_the_session_ends(client, applicant):
    from sejour.applications import services

    client.force_login(applicant)
    application = services.application_start(applicant=applicant, motive="student")
    assert (
        "you will be logged out at"
        in client.get(step_url(application, "personal")).content.decode()
    )


def test_sessions_expire_after_inactivity_not_after_login():
    from django.conf import settings

    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db
def test_housekeeping_deletes_only_the_returning_marks_no_cookie_can_carry(client, applicant):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from sejour.accounts.models import User
    from sejour.applications import services
    from sejour.applications.models import ReturningMark
    from sejour.conftest import PASSWORD

    application = services.application_start(applicant=applicant, motive="student")
    client.post(
        reverse("accounts:login"), {"identifier": applicant.identifier, "password": PASSWORD}
    )
    client.get(step_url(application, "personal"))
    mark = ReturningMark.objects.get(user=applicant)
    # A mark whose cookie was last signed longer ago than a cookie lives is useless.
    gone = User.objects.create_user(identifier="9900000001", password=PASSWORD)
    keep = timedelta(seconds=settings.PENDING_STEP_KEEP_SECONDS)
    ReturningMark.objects.create(
        user=gone, nonce="f" * 32, refreshed_at=timezone.now() - keep - timedelta(minutes=1)
    )
    # An old mark whose cookie is re-signed moves with it: the person is still here.
    ReturningMark.objects.filter(pk=mark.pk).update(refreshed_at=timezone.now() - keep)
    client.cookies.pop("sejour_returning")
    client.get(step_url(application, "personal"))
    mark.refresh_from_db()
    assert timezone.now() - mark.refreshed_at < timedelta(minutes=1)

    call_command("housekeeping")

    assert list(ReturningMark.objects.values_list("user", flat=True)) == [applicant.pk]
