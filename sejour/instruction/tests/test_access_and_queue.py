"""Who may use the back-office, and the queue: urgent first, filtered, counted, paginated."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sejour.applications import services as application_services
from sejour.applications.models import Application, Status
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.conftest import PASSWORD, agent_code
from sejour.figures.rebuild import figures_rebuild
from sejour.instruction import views

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.fixture
def filed(applicant, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    return application


def agent_urls(application):
    return [
        reverse("instruction:queue"),
        reverse("instruction:application", args=[application.reference]),
    ]


@pytest.mark.django_db
def test_agent_of_another_prefecture_gets_404(filed, agent_rhone, agent_client):
    client = agent_client(agent_rhone)
    assert client.get(reverse("instruction:queue")).status_code == 200
    assert filed.reference not in client.get(reverse("instruction:queue")).content.decode()
    assert client.get(reverse("instruction:application", args=[filed.reference])).status_code == 404
    for action in (
        "start_instruction",
        "decide",
        "hand_over",
        "request_complement",
        "close",
        "mark_permit_made",
    ):
        response = client.post(reverse("instruction:action", args=[filed.reference, action]), {})
        assert response.status_code == 404, action
    filed.refresh_from_db()
    assert filed.status == Status.FILED


@pytest.mark.django_db
def test_applicants_and_support_get_403_and_anonymous_the_login_page(
    client, filed, applicant, other_applicant, support_agent
):
    for user in (applicant, other_applicant, support_agent):
        client.force_login(user)
        for url in agent_urls(filed):
            assert client.get(url).status_code == 403, (user, url)
        assert (
            client.post(
                reverse("instruction:action", args=[filed.reference, "start_instruction"])
            ).status_code
            == 403
        )
    client.logout()
    for url in agent_urls(filed):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("instruction:login"))


@pytest.mark.django_db
def test_agent_without_the_second_factor_is_sent_to_the_agents_door(client, filed, agent_paris):
    client.force_login(agent_paris)  # password only, no OTP
    response = client.get(reverse("instruction:queue"))
    assert response.status_code == 302 and response.url.startswith(reverse("instruction:login"))


@pytest.mark.django_db
def test_agents_log_in_with_password_and_code(client, agent_paris, agent_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=agent_paris, name="t", key=TOTP_KEY_HEX, confirmed=True)
    login = reverse("instruction:login")
    response = client.post(
        login, {"identifier": "agent.paris", "password": PASSWORD, "code": "000000"}
    )
    assert "The identifier, the password or the code is wrong." in response.content.decode()
    response = client.post(
        login, {"identifier": "agent.paris", "password": "wrong", "code": agent_code()}
    )
    assert "The identifier, the password or the code is wrong." in response.content.decode()
    response = client.post(
        login, {"identifier": "agent.paris", "password": PASSWORD, "code": "12ab"}
    )
    assert "code" in response.context["form"].errors
    # django-otp slows down guessing: after a wrong code, the next try waits a little.
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        response = client.post(
            login, {"identifier": "agent.paris", "password": PASSWORD, "code": agent_code()}
        )
    assert response.url == reverse("instruction:queue")


@pytest.mark.django_db
def test_applicants_cannot_use_the_agents_door(client, applicant):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=applicant, name="t", key=TOTP_KEY_HEX, confirmed=True)
    response = client.post(
        reverse("instruction:login"),
        {"identifier": applicant.identifier, "password": PASSWORD, "code": agent_code()},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_agent_login_is_throttled(client, agent_paris, settings):
    for _attempt in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        response = client.post(
            reverse("instruction:login"),
            {"identifier": "agent.paris", "password": "x", "code": "123456"},
        )
    assert "Logging in is blocked until" in response.content.decode()


def make_filed(registry_person, number, ends_in_days, postcode="75011", **answers):
    from sejour.accounts.models import User

    document = registry_person(
        foreign_number=number,
        ends_in_days=ends_in_days,
        postcode=postcode,
        last_name=answers.get("last_name", "Diallo"),
    )
    user = User.objects.create_user(
        number,
        PASSWORD,
        email=f"{number}@example.org",
        last_name=document.person.last_name,
        first_names="X",
    )
    application = Application.objects.create(
        applicant=user,
        procedure="renewal",
        motive=answers.get("motive", "student"),
        status=answers.get("status", Status.FILED),
        current_document={
            "kind": "permit",
            "number": document.number,
            "valid_from": document.valid_from.isoformat(),
            "valid_until": document.valid_until.isoformat(),
            "allows_work": True,
            "motive": "student",
            "validated": False,
        },
        current_document_ends_on=document.valid_until,
        late=answers.get("late", False),
        filed_at=timezone.now(),
        prefecture_id=__import__("sejour.registry.models", fromlist=["Prefecture"])
        .Prefecture.objects.get(department_code=postcode[:2])
        .pk,
        answers={"personal": {"last_name": document.person.last_name, "first_names": "X"}},
    )
    # Written directly, as a bulk load would: the summary tables are recounted, as after one.
    figures_rebuild()
    return application


@pytest.mark.django_db
def test_queue_is_ordered_by_urgency_counted_filtered_and_searchable(
    registry_person, agent_paris, agent_client
):
    late = make_filed(registry_person, "7500000301", 20, late=True, last_name="Zola")
    soon = make_filed(registry_person, "7500000302", 60, last_name="Martin")
    later = make_filed(
        registry_person,
        "7500000303",
        110,
        motive="visitor",
        status=Status.UNDER_INSTRUCTION,
        last_name="Durand",
    )
    lyon = make_filed(registry_person, "6900000304", 5, postcode="69003", last_name="Rhone")
    client = agent_client(agent_paris)
    queue = reverse("instruction:queue")
    page = client.get(queue).content.decode()
    positions = [page.index(a.reference) for a in (late, soon, later)]
    assert positions == sorted(positions)
    assert lyon.reference not in page
    assert "Filed (2)" in page and "Under instruction (1)" in page
    assert later.reference not in client.get(queue, {"status": "filed"}).content.decode()
    only_visitor = client.get(queue, {"motive": "visitor"}).content.decode()
    assert later.reference in only_visitor and soon.reference not in only_visitor
    only_late = client.get(queue, {"late": "on"}).content.decode()
    assert late.reference in only_late and soon.reference not in only_late
    assert soon.reference in client.get(queue, {"q": "7500000302"}).content.decode()
    by_name = client.get(queue, {"q": "marti"}).content.decode()
    assert soon.reference in by_name and late.reference not in by_name
    assert late.reference in client.get(queue, {"q": late.reference.lower()}).content.decode()
    assert client.get(queue, {"status": "nonsense", "after": "abc"}).status_code == 200


@pytest.mark.django_db
def test_queue_uses_a_constant_number_of_queries(
    registry_person, agent_paris, agent_client, django_assert_max_num_queries
):
    client = agent_client(agent_paris)
    for index in range(3):
        make_filed(registry_person, f"75000004{index:02d}", 30 + index)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("instruction:queue"))
    for index in range(3, 30):
        make_filed(registry_person, f"75000004{index:02d}", 30 + index)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("instruction:queue")).content.decode()
    assert page.count('href="/agents/demandes/SJ-') == views.PAGE_SIZE
    assert "Next page" in page
    next_link = re.search(r'href="\?(after=\d+)"', page).group(1)
    second = client.get(reverse("instruction:queue") + "?" + next_link).content.decode()
    assert second.count('href="/agents/demandes/SJ-') == 30 - views.PAGE_SIZE


@pytest.mark.django_db
def test_agent_reads_documents_inline(filed, agent_paris, agent_client):
    client = agent_client(agent_paris)
    page = client.get(reverse("instruction:application", args=[filed.reference])).content.decode()
    assert "<iframe" in page or "<img" in page
    supporting_file = filed.files.first()
    response = client.get(
        reverse("applications:file_download", args=[filed.reference, supporting_file.pk])
        + "?inline=1"
    )
    assert response.status_code == 200
    assert "inline" in response["Content-Disposition"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_complement_request_with_bad_input_is_explained(filed, agent_paris, agent_client):
    client = agent_client(agent_paris)
    url = lambda action: reverse("instruction:action", args=[filed.reference, action])  # noqa: E731
    client.post(url("start_instruction"))
    response = client.post(
        url("request_complement"), {"message": "x", "deadline": timezone.localdate().isoformat()}
    )
    assert response.status_code == 400
    assert "Choose at least one document." in response.content.decode()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        url("request_complement"), {"missing": ["passport"], "message": "x", "deadline": yesterday}
    )
    assert "The deadline must be in the future." in response.content.decode()
    response = client.post(
        url("request_complement"), {"missing": ["nope"], "message": "x", "deadline": "2099-01-01"}
    )
    assert response.status_code == 400
    filed.refresh_from_db()
    assert filed.status == Status.UNDER_INSTRUCTION


@pytest.mark.django_db
def test_unknown_action_is_refused(filed, agent_paris, agent_client):
    client = agent_client(agent_paris)
    response = client.post(reverse("instruction:action", args=[filed.reference, "explode"]))
    assert response.status_code == 400


@pytest.mark.django_db
def test_agent_actions_need_a_post(filed, agent_paris, agent_client):
    client = agent_client(agent_paris)
    response = client.get(
        reverse("instruction:action", args=[filed.reference, "start_instruction"])
    )
    assert response.status_code == 405
