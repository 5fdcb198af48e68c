"""Journey: the contact form with a screenshot, answered by a support agent."""

import pytest

from sejour.conftest import PASSWORD, png_bytes
from sejour.notifications.models import OutboxMessage
from sejour.support.models import Ticket

from .helpers import label, log_in_agent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("clamd", "media_root"),
]


def test_contact_form(visit, support_agent, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sejour.conftest import TOTP_KEY_HEX

    TOTPDevice.objects.create(user=support_agent, name="test", key=TOTP_KEY_HEX, confirmed=True)
    page = visit.new_page()
    page.goto("/aide/")
    page.get_by_role("link", name="Contact us").first.click()
    page.get_by_label(label("Subject")).select_option("ephoto")
    page.get_by_label(label("Your message")).fill("My e-photo code is refused since yesterday.")
    page.get_by_label(label("E-mail address for our answer")).fill("visitor@example.org")
    shot = tmp_path / "screen.png"
    shot.write_bytes(png_bytes((200, 120)))
    page.get_by_label(label("Screenshots")).set_input_files(str(shot))
    visit.check(page, "contact")
    page.get_by_role("button", name="Send my message").click()
    page.get_by_role("heading", name="Message sent").wait_for()
    visit.check(page, "contact-sent")
    ticket = Ticket.objects.get()

    support = visit.new_page()
    log_in_agent(support, "support", PASSWORD, heading="Support tickets")  # the agents' door
    visit.check(support, "tickets")
    support.get_by_role("link", name=ticket.reference).click()
    support.get_by_role("img", name="Screenshot sent: screen.png").wait_for()
    visit.check(support, "ticket")
    support.get_by_label(label("Answer")).fill("Wait 48 hours after the photo, then try again.")
    support.get_by_role("button", name="Send the answer").click()
    support.get_by_text("Your answer is sent by e-mail.").wait_for()
    assert OutboxMessage.objects.filter(
        recipient="visitor@example.org", body__contains="Wait 48 hours"
    ).exists()
