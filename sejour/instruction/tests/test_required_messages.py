"""A required field left empty answers with the product's own message, not the generic one."""

import pytest

from sejour.instruction.forms import CloseForm, DecisionForm, HandOverForm, IdentityReviewForm
from sejour.support.forms import AssistanceForm, TicketAnswerForm

GENERIC = "This field is required."


@pytest.mark.parametrize(
    ("form_class", "field", "message"),
    [
        (CloseForm, "reason", "Write the reason: the applicant will read it."),
        (DecisionForm, "reasons", "Write the reasons for the decision."),
        (HandOverForm, "stamps", "Enter the number of at least one electronic stamp."),
        (IdentityReviewForm, "verdict", "Choose which one is right."),
        (
            IdentityReviewForm,
            "note",
            "Say what you checked, for example the passport seen at the desk.",
        ),
        (AssistanceForm, "consent", "The person's consent is required."),
        (TicketAnswerForm, "message", "Write the answer."),
    ],
)
def test_an_empty_required_field_gets_its_own_message(form_class, field, message):
    form = form_class(data={})
    assert not form.is_valid()
    assert form.errors[field] == [message]
    assert GENERIC not in str(form.errors[field])
