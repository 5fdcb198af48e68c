"""Who may have an account, and what they may file online (decision 0010): any permit
holder may declare a change and ask for a permit the FAQ opens online, whatever the
motive of the permit they hold; other permits are sent to the prefecture."""

import pytest
from django.urls import reverse

from sejour.applications import services
from sejour.applications.models import Application, Status
from sejour.conftest import _applicant
from sejour.registry.models import Motive, ResidenceDocument

from .helpers import file_complete_application, step_url

pytestmark = pytest.mark.usefixtures("clamd", "media_root")
NEW = reverse("applications:new")


@pytest.fixture
def employee(registry_person):
    """Holds an employee permit ending in 90 days (inside the filing window)."""
    return _applicant(registry_person, "5900000006", motive=Motive.EMPLOYEE, postcode="59000")


@pytest.mark.django_db
def test_rule_eligibility_employee_permit_holder_asking_for_talent_files_online(
    client, employee, ephoto_codes
):
    client.force_login(employee)
    page = client.get(NEW).content.decode()
    assert "Which permit do you ask for?" in page
    response = client.get(NEW, {"motive": "talent", "choose": "1"})
    assert response.url == reverse("applications:presentation", args=["talent"])
    response = client.post(response.url)
    application = Application.objects.get(applicant=employee)
    assert response.url == step_url(application, "personal")
    assert (application.motive, application.procedure) == ("talent", "renewal")
    response = file_complete_application(client, application, ephoto_codes["valid"])
    assert response.status_code == 302, response.content.decode()[:2000]
    application.refresh_from_db()
    assert application.status == Status.FILED


@pytest.mark.django_db
def test_rule_eligibility_asking_for_an_employee_permit_is_sent_to_the_prefecture(client, employee):
    client.force_login(employee)
    response = client.get(NEW, {"motive": "employee", "choose": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "permit is not asked for on this site" in page
    assert "“Employee”" in page
    assert "https://www.nord.gouv.fr" in page
    # The presentation of a permit not open online leads to the same answer.
    response = client.get(reverse("applications:presentation", args=["employee"]))
    assert response.url == f"{NEW}?motive=employee"
    client.post(reverse("applications:presentation", args=["employee"]))
    with pytest.raises(services.ApplicationError):
        services.application_start(applicant=employee, motive="employee")
    assert not Application.objects.filter(applicant=employee).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"choose": "1"}, "Choose the permit you ask for."),
        ({"motive": "astronaut", "choose": "1"}, "Choose one of the permits in the list."),
        ({"motive": "x" * 5000}, "Choose one of the permits in the list."),
    ],
)
def test_a_missing_or_unknown_choice_is_answered_next_to_the_field(
    client, employee, query, message
):
    client.force_login(employee)
    response = client.get(NEW, query)
    assert response.status_code == 200
    assert response.context["form"].errors["motive"] == [message]
    assert message in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_permit_in_the_address_is_not_found(client, employee):
    client.force_login(employee)
    assert client.get(reverse("applications:presentation", args=["astronaut"])).status_code == 404


@pytest.mark.django_db
def test_the_chooser_offers_every_permit_with_its_name_not_its_code(client, employee):
    client.force_login(employee)
    page = client.get(NEW).content.decode()
    for motive in Motive:
        assert str(motive.label) in page
    assert ">employee<" not in page and ">talent_family<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("held", [Motive.EMPLOYEE, Motive.PRIVATE_FAMILY_LIFE, Motive.RESIDENT])
def test_rule_eligibility_any_permit_holder_declares_a_change_of_address(
    client, registry_person, held
):
    holder = _applicant(registry_person, "5900000016", motive=held, ends_in_days=400)
    client.force_login(holder)
    page = client.get(NEW).content.decode()
    assert reverse("changes:start") in page
    response = client.post(reverse("changes:address"))
    application = Application.objects.get(applicant=holder, procedure="address_change")
    assert response.url == step_url(application, "personal")
    assert application.motive == held


@pytest.mark.django_db
def test_any_permit_holder_declares_a_lost_permit(client, registry_person):
    holder = _applicant(registry_person, "5900000017", motive=Motive.EMPLOYEE, ends_in_days=400)
    client.force_login(holder)
    response = client.post(reverse("changes:loss"))
    application = Application.objects.get(applicant=holder, procedure="duplicate")
    assert response.url == step_url(application, "declaration")


@pytest.mark.django_db
def test_the_chooser_shows_only_the_persons_own_document(client, employee, applicant):
    client.force_login(applicant)
    page = client.get(NEW, {"motive": "employee", "choose": "1"}).content.decode()
    theirs = ResidenceDocument.objects.get(person__foreign_number=employee.identifier)
    assert theirs.number not in page and employee.identifier not in page
    assert "https://www.nord.gouv.fr" not in page  # the applicant lives in Paris


@pytest.mark.django_db
def test_the_home_page_opens_the_change_of_situation_to_every_permit(client):
    page = " ".join(client.get(reverse("core:home")).content.decode().split())
    assert (
        "Whatever your permit, you can declare a change of address, or a lost, stolen or "
        "damaged permit, on this site."
    ) in page
