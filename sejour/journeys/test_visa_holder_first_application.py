"""Journey: a visa holder files a first application; an agent starts instruction; the
applicant receives their number and a temporary password, logs in and must change it."""

import re

import pytest

from sejour.accounts.models import User
from sejour.applications.models import Status
from sejour.conftest import PASSWORD, outbox_text
from sejour.notifications.models import OutboxMessage
from sejour.registry.models import DocumentKind

from .helpers import file_student_application, label, log_in_agent, log_in_applicant, outbox_link

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def test_visa_holder_first_application(visit, registry_person, agent_paris, ephoto_codes, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-10, ends_in_days=355)
    User.objects.create_user(
        None,
        email="kwame@example.org",
        visa_number="123456789",
        first_names="Kwame",
        last_name="Asante",
    )
    TOTPDevice.objects.create(user=agent_paris, name="test", key=TOTP_KEY_HEX, confirmed=True)

    person = visit.new_page()
    person.goto("/connexion/")
    person.get_by_role("link", name=re.compile("I created my account with a visa")).click()
    person.get_by_label(label("Visa number")).fill("123456789")
    visit.check(person, "visa-login")
    person.get_by_role("button", name="Send me a sign-in link").click()
    person.goto(outbox_link("kwame@example.org"))
    person.get_by_role("button", name="Open my space").click()
    person.get_by_role("heading", name="My space").wait_for()
    visit.check(person, "provisional-space")
    application = file_student_application(person, visit, tmp_path, ephoto_codes["valid"])
    assert application.procedure == "first" and application.status == Status.FILED

    agent = visit.new_page()
    log_in_agent(agent, "agent.paris", PASSWORD)
    visit.check(agent, "queue")
    agent.get_by_role("link", name=application.reference).click()
    visit.check(agent, "agent-application")
    agent.get_by_role("button", name="Start instruction").click()
    agent.get_by_text("Instruction started.").wait_for()

    number = User.objects.get(visa_number="123456789").identifier
    email = OutboxMessage.objects.filter(recipient="kwame@example.org", body__contains=number).get()
    temporary = re.search(r"Temporary password: (\S+)", outbox_text(email)).group(1)
    person.context.clear_cookies()
    log_in_applicant(person, number, temporary)
    person.get_by_role("heading", name="Change your password").wait_for()
    visit.check(person, "forced-password-change")
    person.get_by_label(label("Current password")).fill(temporary)
    person.get_by_label(label("New password")).fill("my own long passphrase")
    person.get_by_label("New password again").fill("my own long passphrase")
    person.get_by_role("button", name="Save my new password").click()
    person.get_by_role("heading", name="My space").wait_for()
    assert number in person.content()
