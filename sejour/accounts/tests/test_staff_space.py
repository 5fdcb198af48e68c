"""Staff belong in the back-office: "Mon espace" is an applicant's space."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "space"),
    [("agent_paris", "instruction:queue"), ("support_agent", "support:tickets")],
)
def test_staff_reaching_my_space_are_sent_to_the_back_office(
    request, client, agent_client, persona, space
):
    staff = request.getfixturevalue(persona)
    agent_client(staff)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(space)
    page = client.get(response["Location"]).content.decode()
    assert "numéro étranger" not in page


def test_supervisor_reaching_my_space_is_sent_to_the_queue(client, agent_client, supervisor_paris):
    agent_client(supervisor_paris)
    response = client.get(reverse("accounts:home"))
    assert response["Location"] == reverse("instruction:queue")


def test_an_applicant_still_has_their_space(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert applicant.identifier in response.content.decode()
