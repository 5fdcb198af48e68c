"""Journey: the applicant asks the prefecture a question with a screenshot from their
application page; a supervisor keeps an answer template, the agent answers from it;
the applicant follows the e-mail's link (which holds nothing else) and reads the answer.

Before reading it, the applicant finds the unread answer first in "Mon espace"
(`conversations/attention.py`, through `conversations.selectors.unread_messages_for`)."""

import re

import pytest

from sejour.applications import services as application_services
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.conftest import PASSWORD, png_bytes
from sejour.conversations.models import Message

from .helpers import label, log_in_agent, log_in_applicant, outbox_link

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def test_conversation_with_the_prefecture(
    visit, applicant, agent_paris, supervisor_paris, ephoto_codes, tmp_path
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    for staff in (agent_paris, supervisor_paris):
        TOTPDevice.objects.create(user=staff, name="test", key=TOTP_KEY_HEX, confirmed=True)
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)

    # The applicant writes from the application page, with a screenshot.
    person = visit.new_page()
    log_in_applicant(person, applicant.identifier, PASSWORD)
    person.goto(f"/demarches/{application.reference}/")
    messages = person.get_by_role("region", name="Messages with the prefecture")
    messages.get_by_text("No message yet.").wait_for()
    # An empty message is refused next to the field.
    messages.get_by_role("button", name="Send my message").click()
    person.get_by_text("Write your message.").wait_for()
    visit.check(person, "empty-message-refused")
    screenshot = tmp_path / "ecran.png"
    screenshot.write_bytes(png_bytes((200, 120)))
    person.get_by_label(label("Your message")).fill(
        "Hello, the page for my receipt shows an error. <b>Screenshot attached.</b>"
    )
    person.get_by_label(label("Attach a file")).set_input_files(str(screenshot))
    person.get_by_role("button", name="Send my message").click()
    person.get_by_text("Your message is sent to the prefecture.").wait_for()
    person.get_by_role("link", name="ecran.png").wait_for()
    # Typed markup is shown as text.
    person.get_by_text("<b>Screenshot attached.</b>", exact=False).wait_for()
    visit.check(person, "question-sent")

    # A supervisor keeps the prefecture's answer template.
    supervisor = visit.new_page()
    log_in_agent(supervisor, supervisor_paris.identifier, PASSWORD)
    supervisor.get_by_role("link", name="Answer templates").first.click()
    supervisor.get_by_label(label("Title")).fill("Receipt page error")
    supervisor.get_by_label(label("Text")).fill(
        "Thank you for your message. We have fixed your file: your receipt is available."
    )
    visit.check(supervisor, "answer-templates")
    supervisor.get_by_role("button", name="Save the template").click()
    supervisor.get_by_text("Template saved.").wait_for()

    # The agent sees who waits for an answer, and answers from the template.
    agent = visit.new_page()
    log_in_agent(agent, agent_paris.identifier, PASSWORD)
    agent.get_by_text(re.compile("Applicants wait for our answer")).wait_for()
    agent.get_by_role("link", name="See who waits for our answer").click()
    row = agent.get_by_role("row", name=re.compile(application.reference))
    row.get_by_text(re.compile("waiting for our answer for")).wait_for()
    visit.check(agent, "queue-waiting-for-an-answer")
    row.get_by_role("link", name=application.reference).click()
    section = agent.get_by_role("region", name="Messages with the applicant")
    section.get_by_role("link", name="ecran.png").wait_for()
    section.get_by_label(label("Start from an answer template")).select_option(
        label="Receipt page error"
    )
    section.get_by_role("button", name="Use this template").click()
    answer = agent.get_by_label(label("Your answer"))
    assert "We have fixed your file" in answer.input_value()
    answer.fill(answer.input_value() + " Best regards.")
    visit.check(agent, "answer-from-template")
    agent.get_by_role("button", name="Send the answer").click()
    agent.get_by_text("Your answer is sent; the applicant is told by e-mail.").wait_for()
    assert Message.objects.filter(side="prefecture").count() == 1

    # "Mon espace" lists the answer first, with one link to it.
    person.goto("/mon-espace/")
    first = person.locator("[data-attention] > li").first
    first.get_by_text(f"The prefecture wrote to you ({application.reference})").wait_for()
    assert first.get_by_role("link").get_attribute("href") == (
        f"/demarches/{application.reference}/messages/"
    )
    visit.check(person, "my-space-unread")

    # The applicant follows the e-mail's link and reads the answer.
    link = outbox_link(applicant.email)
    assert link == f"/demarches/{application.reference}/messages/"
    person.goto(link)
    person.get_by_role("heading", name="Messages with the prefecture").wait_for()
    person.get_by_text(re.compile("your receipt is available. Best regards.")).wait_for()
    visit.check(person, "answer-read")
    assert Message.objects.get(side="prefecture").read_at is not None
