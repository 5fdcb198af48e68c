"""Journey: the filing wizard with the keyboard only (Tab, Shift+Tab, Enter, Space):
every focused element shows its focus, and after a failed step the error summary
has the focus."""

import pytest

from sejour.applications.models import Application
from sejour.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const labelled = element.labels && element.labels.length ? element.labels[0].innerText : "";
    return {
        id: element.id,
        field: ["INPUT", "SELECT", "TEXTAREA"].includes(element.tagName) && element.type !== "submit",
        name: (labelled || element.getAttribute("aria-label") || element.innerText || element.value || "").trim(),
        visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    };
}"""


def arrow_to(page, text: str, limit: int = 40) -> dict:
    """Tab into the first radio group, then press the down arrow (which also checks the
    radio) until the one named `text` has the focus."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "radio":
            break
    else:
        raise AssertionError("no radio group reached with the keyboard")
    for _press in range(limit):
        focused = page.evaluate(FOCUSED)
        if focused["name"].lower().startswith(text.lower()):
            assert focused["visible"], f"no visible focus on {focused}"
            if not page.evaluate("() => document.activeElement.checked"):
                page.keyboard.press("Space")
            return focused
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"could not reach “{text}” with the arrows")


def tab_to(page, text: str, backwards: bool = False, field: bool = False, limit: int = 80) -> dict:
    """Press Tab (or Shift+Tab) until the element named `text` (a form field if
    `field`, not the error summary's link to it) has the focus."""
    for _press in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = page.evaluate(FOCUSED)
        if text.lower() in focused["name"].lower() and (focused["field"] or not field):
            assert focused["visible"], f"no visible focus on {focused}"
            return focused
    raise AssertionError(f"could not reach “{text}” with the keyboard")


def enter(page):
    """Press Enter on a link or a button and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_keyboard_filing(visit, applicant):
    page = visit.new_page()
    page.goto("/connexion/")
    tab_to(page, "Foreign-national number", field=True)
    page.keyboard.type(applicant.identifier)
    tab_to(page, "Password", field=True)
    page.keyboard.type(PASSWORD)
    tab_to(page, "Log in")
    enter(page)
    page.get_by_role("heading", name="My space").wait_for()

    tab_to(page, "I apply for or renew a residence permit")
    enter(page)
    # "Which permit do you ask for?": Tab enters the group, the arrows choose in it.
    arrow_to(page, "Student")
    tab_to(page, "Continue")
    enter(page)
    tab_to(page, "I start")
    enter(page)
    page.get_by_role("heading", name="Personal information").wait_for()
    tab_to(page, "Save and continue")
    enter(page)

    # Step 2, sent incomplete: the error summary takes the focus.
    page.get_by_role("heading", name="Your project").wait_for()
    tab_to(page, "School or university", field=True)
    page.keyboard.type("Sorbonne Université")
    tab_to(page, "Save and continue")
    enter(page)
    page.get_by_role("alert").wait_for()
    assert page.evaluate(FOCUSED)["id"] == "error-summary"
    visit.check(page, "keyboard-error-summary")
    tab_to(page, "Level of studies", field=True)
    page.keyboard.type("Master")  # type-ahead selects “Master or engineering school”
    tab_to(page, "Programme or diploma prepared", field=True)
    page.keyboard.type("Master de chimie")
    # Back one field and forward again, as people do.
    tab_to(page, "Level of studies", backwards=True, field=True)
    tab_to(page, "Save and continue")
    enter(page)

    page.get_by_role("heading", name="Resources").wait_for()
    tab_to(page, "Your resources per month", field=True)
    page.keyboard.type("900")
    tab_to(page, "Scholarship", field=True)
    page.keyboard.press("Space")
    tab_to(page, "Save and continue")
    enter(page)
    page.get_by_role("heading", name="Supporting documents").first.wait_for()
    application = Application.objects.get(applicant=applicant)
    assert application.last_step == "resources"
    assert application.answers["motive"]["level"] == "master"
    assert application.answers["resources"]["sources"] == ["scholarship"]
