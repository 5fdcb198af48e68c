"""The amount due, on the application page: one heading, which names the table."""

import pytest
from django.urls import reverse

from sejour.applications import services
from sejour.applications.tests.test_submission import ready_to_submit

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


@pytest.mark.django_db
def test_the_fee_heading_is_not_repeated_as_a_caption(
    client, applicant, ephoto_codes, django_capture_on_commit_callbacks
):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=applicant)
    client.force_login(applicant)
    page = client.get(reverse("applications:detail", args=[application.reference]))
    page = page.content.decode()
    assert page.count("Amount due when you collect your permit") == 1
    assert '<h2 id="fees-title">' in page
    assert 'aria-labelledby="fees-title"' in page
    table = page.split('aria-labelledby="fees-title"')[1].split("</table>")[0]
    assert "<caption" not in table


@pytest.mark.django_db
def test_the_fee_table_keeps_its_caption_where_no_heading_names_it(client):
    page = client.get(reverse("core:fees"), {"motive": "student", "procedure": "renewal"})
    table = page.content.decode().split('class="fr-table fr-table--no-caption sejour-fees"')[1]
    assert "<caption>Amount due when you collect your permit</caption>" in table
