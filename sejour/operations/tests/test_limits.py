"""Limits that fit real places: per target first, per address second with a much higher
ceiling, partner places with their own ceiling — tested both ways."""

import pytest
from django.urls import reverse

from sejour.accounts.models import Attempt, User
from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD
from sejour.notifications.models import OutboxMessage
from sejour.operations.models import PartnerAddress
from sejour.operations.partners import partner_address_add

pytestmark = pytest.mark.django_db

START = reverse("accounts:signup_residence")
EMAIL_STEP = reverse("accounts:signup_email")
LOGIN = reverse("accounts:login")
RESET = reverse("accounts:password_reset")
PAGE = reverse("operations:partner_addresses")
HELP_DESK = "81.250.12.34"  # a France Services office's one public address
TOO_MANY = "Too many attempts"


def dates(document):
    return {
        "valid_from": document.valid_from.isoformat(),
        "valid_until": document.valid_until.isoformat(),
    }


def signup_attempt(client, number: str, address: str, document=None):
    data = {"foreign_number": number}
    data.update(
        dates(document) if document else {"valid_from": "2020-01-01", "valid_until": "2021-01-01"}
    )
    return client.post(START, data, REMOTE_ADDR=address)


def test_a_help_desk_helping_40_people_from_one_address_is_not_blocked(client, registry_person):
    """Forty people in a day, each helped through sign-up, one mistyped password, a login
    and a password reset: nobody is told to come back later."""
    people = [
        registry_person(foreign_number=f"75100000{n:02d}", last_name=f"Person{n}")
        for n in range(40)
    ]
    for n, document in enumerate(people):
        number = document.person.foreign_number
        response = signup_attempt(client, number, HELP_DESK, document)
        assert response.status_code == 302, (n, response.content.decode()[:500])
        response = client.post(
            EMAIL_STEP,
            {"email": f"p{n}@example.org", "email_confirm": f"p{n}@example.org"},
            REMOTE_ADDR=HELP_DESK,
        )
        assert response.status_code == 302, n
    assert OutboxMessage.objects.filter(recipient__startswith="p").count() == 40

    for n in range(40):
        User.objects.create_user(f"69200000{n:02d}", PASSWORD, email=f"u{n}@example.org")
    for n in range(40):
        identifier = f"69200000{n:02d}"
        wrong = client.post(
            LOGIN, {"identifier": identifier, "password": "mistyped"}, REMOTE_ADDR=HELP_DESK
        )
        assert TOO_MANY not in wrong.content.decode(), n
        right = client.post(
            LOGIN, {"identifier": identifier, "password": PASSWORD}, REMOTE_ADDR=HELP_DESK
        )
        assert right.status_code == 302, (n, right.content.decode()[:500])
        client.logout()
        reset = client.post(RESET, {"identifier": identifier}, REMOTE_ADDR=HELP_DESK)
        assert TOO_MANY not in reset.content.decode(), n


def test_a_robot_hammering_one_number_is_stopped_whatever_its_address(
    client, registry_person, settings
):
    document = registry_person(foreign_number="7510000099")
    for n in range(settings.RATE_LIMIT_SIGNUPS_PER_TARGET):
        response = signup_attempt(client, "7510000099", f"81.250.13.{n + 1}")
        assert TOO_MANY not in response.content.decode()
    # A new address each time does not help: the number itself is counted.
    response = signup_attempt(client, "7510000099", "81.250.13.200", document)
    assert TOO_MANY in response.content.decode()
    # Nobody else is slowed down, at that address or any other.
    assert signup_attempt(client, "7510000098", "81.250.13.200").status_code == 200
    assert TOO_MANY not in signup_attempt(client, "7510000098", "81.250.13.200").content.decode()
    # The counters keep no number in clear.
    assert not Attempt.objects.filter(key__contains="7510000099").exists()


def test_a_robot_trying_many_numbers_from_one_address_is_stopped(client, settings):
    ceiling = settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS
    assert ceiling >= 100  # far above a help desk's day
    for n in range(ceiling):
        response = signup_attempt(client, f"75300{n:05d}", "81.250.14.7")
        assert TOO_MANY not in response.content.decode(), n
    response = signup_attempt(client, "7539999999", "81.250.14.7")
    assert TOO_MANY in response.content.decode()
    # Another address is not affected.
    assert TOO_MANY not in signup_attempt(client, "7539999999", "81.250.14.8").content.decode()


@pytest.fixture
def partner(supervisor_paris):
    return partner_address_add(
        name="France Services Paris 18e", network="81.250.12.32/28", ceiling=30, by=supervisor_paris
    )


def test_a_partner_place_is_counted_as_one_with_its_own_ceiling(client, settings, partner):
    settings.RATE_LIMIT_SIGNUPS_PER_ADDRESS = 10  # a small default, to keep the test short
    # Past the default, from two computers of the same place: still served.
    for n in range(30):
        address = "81.250.12.33" if n % 2 else "81.250.12.40"
        response = signup_attempt(client, f"75400{n:05d}", address)
        assert TOO_MANY not in response.content.decode(), n
    # The place's ceiling is for the whole place.
    assert TOO_MANY in signup_attempt(client, "7549999999", "81.250.12.45").content.decode()
    # Outside the partner's network, the default ceiling of each address.
    assert TOO_MANY not in signup_attempt(client, "7549999999", "81.250.12.48").content.decode()


def test_per_person_limits_still_apply_at_a_partner_place(client, settings, partner):
    for _ in range(settings.RATE_LIMIT_SIGNUPS_PER_TARGET):
        signup_attempt(client, "7541111111", "81.250.12.35")
    assert TOO_MANY in signup_attempt(client, "7541111111", "81.250.12.36").content.decode()
    User.objects.create_user("6930000001", PASSWORD, email="x@example.org")
    for _ in range(settings.LOGIN_FAILURES_PER_IDENTIFIER):
        client.post(
            LOGIN, {"identifier": "6930000001", "password": "no"}, REMOTE_ADDR="81.250.12.35"
        )
    locked = client.post(
        LOGIN, {"identifier": "6930000001", "password": PASSWORD}, REMOTE_ADDR="81.250.12.35"
    )
    assert locked.status_code == 200 and TOO_MANY.split()[0] in locked.content.decode()


def test_a_partner_place_has_its_own_ceiling_for_failed_logins(client, settings, partner):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(12):
        User.objects.create_user(f"69400000{n:02d}", PASSWORD, email=f"l{n}@example.org")
    for n in range(12):
        identifier = f"69400000{n:02d}"
        client.post(LOGIN, {"identifier": identifier, "password": "no"}, REMOTE_ADDR="81.250.12.37")
        response = client.post(
            LOGIN, {"identifier": identifier, "password": PASSWORD}, REMOTE_ADDR="81.250.12.37"
        )
        assert response.status_code == 302, n
        client.logout()
    # The same from an ordinary address is stopped at its (small) ceiling.
    for n in range(3):
        client.post(
            LOGIN, {"identifier": f"69400000{n:02d}", "password": "no"}, REMOTE_ADDR="81.250.15.1"
        )
    blocked = client.post(
        LOGIN, {"identifier": "6940000005", "password": PASSWORD}, REMOTE_ADDR="81.250.15.1"
    )
    assert blocked.status_code == 200


# --- The supervisors' page ----------------------------------------------------------


def test_a_supervisor_registers_and_removes_a_partner_place(agent_client, supervisor_paris, client):
    agent_client(supervisor_paris)
    page = client.get(PAGE)
    assert page.status_code == 200 and "No partner address yet." in page.content.decode()
    response = client.post(
        PAGE, {"name": "Cimade Paris", "network": "81.250.16.7", "ceiling": "400"}
    )
    assert response.status_code == 302
    partner = PartnerAddress.objects.get()
    assert (partner.network, partner.ceiling, partner.prefecture) == (
        "81.250.16.7/32",
        400,
        supervisor_paris.prefecture,
    )
    added = AuditEvent.objects.get(action="partner_address.added")
    assert added.actor == supervisor_paris and added.data["network"] == "81.250.16.7/32"
    page = client.get(PAGE).content.decode()
    assert "Cimade Paris" in page and "81.250.16.7/32" in page

    response = client.post(reverse("operations:partner_address_remove", args=[partner.pk]))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.removed_at is not None
    assert AuditEvent.objects.filter(
        action="partner_address.removed", actor=supervisor_paris
    ).exists()
    assert "Cimade Paris" not in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"network": "not an address"}, "network", "Enter an IP address"),
        ({"network": "10.1.2.0/24"}, "network", "public address"),
        ({"network": "81.0.0.0/8"}, "network", "too wide"),
        ({"ceiling": "0"}, "ceiling", ""),
        ({"ceiling": "999999"}, "ceiling", ""),
        ({"ceiling": "many"}, "ceiling", ""),
        ({"name": ""}, "name", ""),
    ],
)
def test_bad_input_is_refused_next_to_the_field(
    agent_client, supervisor_paris, client, data, field, message
):
    agent_client(supervisor_paris)
    posted = {"name": "Médiathèque", "network": "81.250.17.0/28", "ceiling": "200", **data}
    response = client.post(PAGE, posted)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert (
        'value="Médiathèque"' in response.content.decode() or field == "name"
    )  # typed values kept
    assert not PartnerAddress.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="partner_address").exists()


def test_the_same_place_twice_is_refused(agent_client, supervisor_paris, client, partner):
    agent_client(supervisor_paris)
    response = client.post(PAGE, {"name": "Again", "network": "81.250.12.40/28", "ceiling": "50"})
    assert "already registered" in " ".join(response.context["form"].errors["network"])
    assert PartnerAddress.objects.count() == 1


def test_outsiders_cannot_see_or_remove_a_partner_place(
    agent_client, client, partner, agent_paris, agent_rhone, applicant, support_agent
):
    from sejour.accounts.models import User as UserModel
    from sejour.registry.models import Prefecture

    remove = reverse("operations:partner_address_remove", args=[partner.pk])
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and reverse("instruction:login") in anonymous.url
    assert client.post(remove).status_code == 302
    client.force_login(applicant)
    assert client.get(PAGE).status_code == 403
    assert client.post(remove).status_code == 403
    client.logout()
    for staff in (agent_paris, support_agent):
        agent_client(staff)
        assert client.get(PAGE).status_code == 403
        assert client.post(remove).status_code == 403
        client.logout()
    other_supervisor = UserModel.objects.create_user(
        "superviseur.rhone",
        PASSWORD,
        email="sr@example.org",
        role=UserModel.Role.SUPERVISOR,
        prefecture=Prefecture.objects.get(department_code="69"),
    )
    agent_client(other_supervisor)
    page = client.get(PAGE)
    assert page.status_code == 200 and "France Services Paris 18e" not in page.content.decode()
    assert client.post(remove).status_code == 404
    partner.refresh_from_db()
    assert partner.removed_at is None
    assert not AuditEvent.objects.filter(action="partner_address.removed").exists()
