"""Journey: create an account with a permit, confirm the e-mail from the outbox,
choose a password, log in."""

import pytest

from sejour.accounts.models import User

from .helpers import label, outbox_link

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_signup_with_permit(visit, registry_person):
    permit = registry_person(foreign_number="7500000123")
    page = visit.new_page()
    page.goto("/")
    visit.check(page, "home")
    page.get_by_role("link", name="I create my account").click()
    visit.check(page, "signup-choice")
    page.get_by_role("link", name="A residence permit, a receipt or a validated VLS-TS").click()
    page.get_by_label(label("Foreign-national number")).fill("7500000123")
    page.get_by_label(label("Start of validity")).fill(permit.valid_from.isoformat())
    page.get_by_label(label("End of validity")).fill(permit.valid_until.isoformat())
    visit.check(page, "signup-document")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label(label("E-mail address")).fill("amina@example.org")
    page.get_by_label("E-mail address again").fill("amina@example.org")
    visit.check(page, "signup-email")
    page.get_by_role("button", name="Send me the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    visit.check(page, "signup-email-sent")

    page.goto(outbox_link("amina@example.org"))
    page.get_by_label(label("New password")).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_text("This password is too short").first.wait_for()
    visit.check(page, "signup-password-error")
    page.get_by_label(label("New password")).fill("a sentence I will remember")
    page.get_by_label("New password again").fill("a sentence I will remember")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="My space").wait_for()
    visit.check(page, "my-space")
    assert User.objects.filter(identifier="7500000123").exists()

    # Log out, then log in with the new password.
    # Only one of the two menus (desktop or small screen) is displayed at a time.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label(label("Foreign-national number")).fill("7500000123")
    page.get_by_label(label("Password")).fill("a sentence I will remember")
    visit.check(page, "login")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="My space").wait_for()
