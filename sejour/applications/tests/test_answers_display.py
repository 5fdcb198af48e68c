"""Answers are shown in the reader's words: dates and amounts as the language writes them."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sejour.applications import services
from sejour.applications.selectors import answers_display
from sejour.applications.tests.helpers import MOTIVE, PERSONAL, RESOURCES
from sejour.core.templatetags.sejour import euros


def rows_of(application) -> dict:
    return {
        label: value for section in answers_display(application) for label, value in section["rows"]
    }


def answered(applicant, chosen, **answers):
    application = services.application_start(applicant=applicant, motive=chosen)
    application.answers.update(answers)
    application.save()
    return application


@pytest.fixture
def student(db, applicant):
    return answered(
        applicant,
        "student",
        personal={**PERSONAL, "birth_date": "1990-03-12"},
        motive=MOTIVE["student"],
        resources={**RESOURCES, "monthly_amount": "1200.50"},
    )


@pytest.fixture
def talent(db, other_applicant):
    return answered(
        other_applicant, "talent", motive={**MOTIVE["talent"], "annual_salary": "42000"}
    )


@pytest.mark.django_db
def test_dates_and_amounts_are_written_the_french_way(student, talent):
    with translation.override("fr"):
        rows = rows_of(student)
        assert rows["Date de naissance"] == "12 mars 1990"
        assert rows["Vos ressources par mois, en euros"] == "1\u00a0200,50\u00a0€"
        assert rows_of(talent)["Salaire annuel brut, en euros"] == "42\u00a0000\u00a0€"


@pytest.mark.django_db
def test_dates_and_amounts_are_written_the_english_way(student):
    with translation.override("en"):
        rows = rows_of(student)
        assert rows["Date of birth"] == "12 March 1990"
        assert rows["Your resources per month, in euros"] == "1,200.50\u00a0€"


def test_euros_are_written_with_the_languages_separators():
    with translation.override("fr"):
        assert euros(20000) == "200\u00a0€"
        assert euros(20050) == "200,50\u00a0€"
        assert euros(1234500) == "12\u00a0345\u00a0€"
    with translation.override("en"):
        assert euros(20050) == "200.50\u00a0€"


@pytest.mark.django_db
def test_the_agents_view_shows_the_birth_date_in_words(registry_person, agent_paris, agent_client):
    from sejour.instruction.tests.test_access_and_queue import make_filed

    application = make_filed(registry_person, "7500000401", 90)
    application.answers["personal"] = {**PERSONAL, "birth_date": "1990-03-12"}
    application.answers["resources"] = {**RESOURCES, "monthly_amount": "1200.50"}
    application.save()
    agent = agent_client(agent_paris, Client())
    agent.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = agent.get(reverse("instruction:application", args=[application.reference]))
    page = page.content.decode()
    assert "12 mars 1990" in page
    assert "1990-03-12" not in page
    assert "1\u00a0200,50\u00a0€" in page and "1200.50" not in page
