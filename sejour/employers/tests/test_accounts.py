"""Employer sign-up with a SIRET, the e-mailed link, login, colleagues."""

import pytest
from django.urls import reverse

from sejour.audit.models import AuditEvent
from sejour.conftest import PASSWORD
from sejour.employers.models import Employer, EmployerLink, EmployerMember
from sejour.employers.siret import siret_valid

from .conftest import BAKERY_SIRET, CLOSED_SIRET, make_member

pytestmark = pytest.mark.django_db
SIGNUP = reverse("employers:signup")


def test_siret_checksum():
    assert siret_valid("73282932000074")
    assert not siret_valid("73282932000075")
    assert not siret_valid("7328293200007")
    # La Poste's establishments: digits summing to a multiple of 5, not Luhn.
    assert siret_valid("35600000049837")
    assert not siret_valid("35600000049838")


@pytest.mark.parametrize(
    "siret, message",
    [
        ("7328293200007A", "A SIRET has 14 digits"),
        ("123", "A SIRET has 14 digits"),
        ("73282932000075", "one digit is wrong"),
        ("12345678900015", "No establishment with this SIRET"),
        (CLOSED_SIRET, "This establishment is closed"),
    ],
)
def test_bad_siret_is_refused_next_to_the_field(client, companies, siret, message):
    response = client.post(SIGNUP, {"siret": siret, "email": "rh@dupain.example"})
    assert response.status_code == 200
    assert message in response.context["form"].errors["siret"][0]
    assert 'value="rh@dupain.example"' in response.content.decode()  # nothing typed is lost
    assert not EmployerLink.objects.exists()


def test_sign_up_by_link_creates_the_employer_and_its_administrator(client, companies, outbox_link):
    response = client.post(SIGNUP, {"siret": "732 829 320 00074", "email": "RH@Dupain.example"})
    assert response.status_code == 302
    path = outbox_link("rh@dupain.example")
    # Opening the link changes nothing (mail scanners open links).
    assert client.get(path).status_code == 200
    assert not Employer.objects.exists()
    response = client.post(
        path,
        {"first_names": "Claire", "last_name": "Martin", "new_password": PASSWORD,
         "new_password_confirm": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse("employers:space")
    employer = Employer.objects.get(siret=BAKERY_SIRET)
    assert employer.name == "Boulangerie Dupain"  # from the register, not typed
    member = EmployerMember.objects.get(email="rh@dupain.example")
    assert member.is_admin and member.user.role == "employer"
    assert AuditEvent.objects.filter(action="employer.signed_up", actor=member.user).exists()
    # The link works once.
    assert client.get(path).status_code == 410
    assert client.get(reverse("employers:space")).status_code == 200


def test_a_company_with_a_space_asks_its_administrator(client, bakery):
    response = client.post(SIGNUP, {"siret": BAKERY_SIRET, "email": "other@dupain.example"})
    assert "Ask its administrator to invite you" in response.context["form"].errors["siret"][0]


def test_login_by_work_email_and_lockout_message(client, bakery):
    url = reverse("employers:login")
    response = client.post(url, {"email": "rh@dupain.example", "password": "wrong"})
    assert "The e-mail address or the password is wrong" in response.content.decode()
    response = client.post(url, {"email": "RH@dupain.example", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("employers:space")


def test_an_applicant_cannot_log_in_as_employer_nor_open_the_space(client, applicant):
    response = client.post(
        reverse("employers:login"), {"email": applicant.email, "password": PASSWORD}
    )
    assert response.status_code == 200
    client.force_login(applicant)
    assert client.get(reverse("employers:space")).status_code == 403


def test_an_administrator_invites_a_colleague(bakery_client, bakery, outbox_link, client):
    response = bakery_client.post(reverse("employers:team"), {"email": "paie@dupain.example"})
    assert response.status_code == 302
    path = outbox_link("paie@dupain.example")
    bakery_client.logout()
    client.post(
        path,
        {"first_names": "Paul", "last_name": "Roux", "new_password": PASSWORD,
         "new_password_confirm": PASSWORD},
    )  # fmt: skip
    colleague = EmployerMember.objects.get(email="paie@dupain.example")
    assert colleague.employer == bakery.employer and not colleague.is_admin
    # A colleague is not an administrator: no team page, no tokens.
    assert client.get(reverse("employers:team")).status_code == 403
    assert client.get(reverse("employers:tokens")).status_code == 403


def test_an_address_already_used_cannot_be_invited(bakery_client, garage):
    response = bakery_client.post(reverse("employers:team"), {"email": garage.email})
    assert "already uses this address" in response.context["form"].errors["email"][0]


def test_a_removed_colleague_can_no_longer_log_in(bakery_client, bakery, client):
    colleague = make_member(bakery.employer, "ex@dupain.example", is_admin=False)
    bakery_client.post(reverse("employers:member_remove", args=[colleague.pk]))
    colleague.user.refresh_from_db()
    assert not colleague.user.is_active
    response = client.post(
        reverse("employers:login"), {"email": "ex@dupain.example", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_an_administrator_cannot_remove_another_employers_member(bakery_client, garage):
    response = bakery_client.post(reverse("employers:member_remove", args=[garage.pk]))
    assert response.status_code == 404
