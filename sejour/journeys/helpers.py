import re
from urllib.parse import urlsplit

from sejour.notifications.models import OutboxMessage


def outbox_link(recipient: str) -> str:
    """The path of the first link in the newest e-mail to this address."""
    from sejour.conftest import outbox_text

    message = OutboxMessage.objects.filter(recipient=recipient).latest("id")
    return urlsplit(re.search(r"https?://\S+", outbox_text(message)).group(0)).path


def label(text: str) -> re.Pattern:
    """A label that starts with `text` and is not a longer label ("… again")."""
    return re.compile(rf"^\s*{re.escape(text)}(?!\s*again)", re.IGNORECASE)


def log_in_applicant(page, identifier: str, password: str):
    page.goto("/connexion/")
    page.get_by_label(label("Foreign-national number")).fill(identifier)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_in_agent(page, identifier: str, password: str, heading: str = "Applications"):
    from sejour.conftest import agent_code

    page.goto("/agents/connexion/")
    page.get_by_label(label("Agent identifier")).fill(identifier)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_label(label("Code from your authenticator app")).fill(agent_code())
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name=re.compile(heading)).wait_for()


def file_student_application(page, visit, tmp_path, ephoto_code: str, motive_link: str = "Student"):
    """From "My space" to a filed application, through every wizard step."""
    from sejour.applications.models import Application
    from sejour.conftest import pdf_bytes, png_bytes
    from sejour.rules.services import document_requirements

    page.get_by_role("main").get_by_role(
        "link", name="I apply for or renew a residence permit"
    ).click()
    # The chooser asks which permit the person asks for (decision 0010).
    page.get_by_label(motive_link, exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="I start").click()
    page.get_by_label(label("Mobile phone number")).fill("06 12 34 56 78")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(label("School or university")).fill("Université de Lyon")
    page.get_by_label(label("Level of studies")).select_option("master")
    page.get_by_label(label("Programme or diploma prepared")).fill("Master de physique")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label(label("Your resources per month")).fill("800")
    page.get_by_label("Scholarship").check()
    page.get_by_role("button", name="Save and continue").click()
    png, pdf = tmp_path / "scan.png", tmp_path / "scan.pdf"
    png.write_bytes(png_bytes())
    pdf.write_bytes(pdf_bytes())
    application = Application.objects.latest("created_at")
    required = [
        r
        for r in document_requirements(
            motive=application.motive,
            procedure=application.procedure,
            on=application.created_at.date(),
        )
        if r.required
    ]
    for index, requirement in enumerate(required):
        section = page.get_by_role("region", name=requirement.label_en)
        section.get_by_label(label("File")).set_input_files(str(png if index % 2 else pdf))
        section.get_by_role("button", name="Add this file").click()
        page.get_by_text("Your file is added.").wait_for()
    page.get_by_label(label("E-photo code")).fill(ephoto_code)
    page.get_by_role("button", name="Check this code").click()
    page.get_by_text("Your e-photo code is accepted.").wait_for()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("I certify that the information").click()
    page.get_by_role("button", name="Send my application").click()
    page.get_by_text("Your application is filed.").wait_for()
    application.refresh_from_db()
    return application
