"""Mobile numbers as the SMS gateway takes them, mainland and overseas."""

import pytest

from sejour.applications.models import Decision, Status
from sejour.attention.tests.helpers import application_for
from sejour.instruction.services import permit_mark_made
from sejour.notifications.models import OutboxMessage
from sejour.notifications.phones import PHONE_RE, international_mobile


@pytest.mark.parametrize(
    "typed, international",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.12.34.56.78", "+33712345678"),
        ("0033612345678", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("0692 12 34 56", "+262692123456"),  # La Réunion
        ("0639 12 34 56", "+262639123456"),  # Mayotte
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("0696 12 34 56", "+596696123456"),  # Martinique
        ("0694 12 34 56", "+594694123456"),  # Guyane
        ("+262692123456", "+262692123456"),
        ("00262692123456", "+262692123456"),
        ("+33692123456", "+262692123456"),  # as stored before the overseas codes
    ],
)
def test_a_mobile_number_gets_its_own_country_code(typed, international):
    assert PHONE_RE.match(typed.replace(" ", "").replace(".", ""))
    assert international_mobile(typed) == international


@pytest.mark.parametrize("typed", ["0123456789", "+262123456789", "+4915112345678", "06123"])
def test_what_is_not_a_french_mobile_is_refused(typed):
    assert not PHONE_RE.match(typed)


@pytest.mark.django_db
def test_permit_available_sms_to_a_reunion_mobile_goes_to_262(
    applicant, agent_paris, django_capture_on_commit_callbacks
):
    application = application_for(
        applicant,
        status=Status.DECISION_TAKEN,
        decision=Decision.FAVOURABLE,
        answers={"personal": {"phone": "0692 12 34 56"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        permit_mark_made(application=application, by=agent_paris)
    sms = OutboxMessage.objects.get(channel=OutboxMessage.Channel.SMS)
    assert sms.recipient == "+262692123456"
