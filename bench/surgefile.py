"""The September student-renewal peak (bench/surge.sh): students log in and file a
renewal through the whole wizard with uploads, newcomers sign up, agents work the
queue (and start instructing what arrives), visitors read the help, all at once.

Accounts and codes come from bench/surge_seed.py's plan (SURGE_PLAN). Every
student files once, then follows their application and downloads its attestation.
"""

import io
import itertools
import json
import os
import re

from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ.get("SURGE_PLAN", "var/surge-plan.json")).read())  # noqa: SIM115
STUDENTS = iter(PLAN["students"])
NEWCOMERS = iter(PLAN["newcomers"])
AGENTS = itertools.cycle(PLAN["agents"])
PAUSE = [float(value) for value in os.environ.get("SURGE_PAUSE", "1,4").split(",")]
PERSONAL = {
    "last_name": "Etudiant",
    "first_names": "Awa",
    "birth_date": "2003-04-12",
    "birth_place": "Dakar (Sénégal)",
    "nationality": "sénégalaise",
    "address": "12 rue de la Roquette",
    "postcode": "75011",
    "city": "Paris",
    "phone": "06 12 34 56 78",
}
MOTIVE = {"institution": "Sorbonne Université", "level": "master", "programme": "Chimie"}
RESOURCES = {"monthly_amount": "900", "sources": ["scholarship"], "details": ""}


def csrf(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return match.group(1) if match else ""


def scan_pdf(pages: int = 1) -> bytes:
    """A small, valid PDF like a phone scan app makes (pypdf is in the environment)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def photo_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 60, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


SCAN, PHOTO = scan_pdf(), photo_png()


class Student(HttpUser):
    """Logs in, files a student renewal step by step with uploads, then follows it."""

    weight = 6
    wait_time = between(*PAUSE)

    def on_start(self):
        try:
            self.identifier, self.ephoto, self.draft = next(STUDENTS)
        except StopIteration:
            raise StopUser() from None
        page = self.client.get("/connexion/", name="login form")
        self.client.post(
            "/connexion/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "identifier": self.identifier,
                "password": PLAN["password"],
            },
            name="login",
        )
        self.reference = self.draft
        self.todo = self.prepared() if self.draft else None  # one step per task run
        self.visits = 0

    def prepared(self):
        """A draft made earlier: check the documents and the summary, then file."""
        step = f"/demarches/{self.reference}/etape"
        yield lambda: self.client.get(f"{step}/summary/", name="wizard: summary page")
        yield lambda: self.post(f"{step}/summary/", {}, "wizard: summary")
        yield lambda: self.post(f"{step}/confirmation/", {"certify": "on"}, "file the application")

    def post(self, path, data, name, files=None):
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            path,
            data={"csrfmiddlewaretoken": token, **data},
            files=files,
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                said = re.findall(
                    r'class="fr-(?:error-text|alert[^"]*)"[^>]*>\s*(?:<[^>]+>\s*)*([^<]{3,160})',
                    response.text,
                )
                title = re.search(r"<title>([^<]*)", response.text)
                response.failure(
                    f"{response.status_code} instead of a redirect: "
                    f"{said[:2] or (title.group(1).strip() if title else '')}"
                )
            return response

    def steps(self):
        ref = self.reference
        step = f"/demarches/{ref}/etape"
        yield lambda: self.post(f"{step}/personal/", PERSONAL, "wizard: personal step")
        yield lambda: self.post(f"{step}/motive/", MOTIVE, "wizard: motive step")
        yield lambda: self.post(f"{step}/resources/", RESOURCES, "wizard: resources step")
        for index, code in enumerate(PLAN["documents"]):
            content, name = (PHOTO, "photo.png") if index % 3 == 0 else (SCAN, "scan.pdf")
            yield lambda code=code, content=content, name=name: self.post(
                f"/demarches/{ref}/pieces/{code}/ajouter/",
                {},
                "wizard: upload a document",
                files={f"{code}-file": (name, content)},
            )
        yield lambda: self.post(
            f"/demarches/{ref}/ephoto/", {"code": self.ephoto}, "wizard: e-photo"
        )
        yield lambda: self.post(f"{step}/documents/", {}, "wizard: documents step")
        yield lambda: self.post(f"{step}/summary/", {}, "wizard: summary")
        yield lambda: self.post(f"{step}/confirmation/", {"certify": "on"}, "file the application")

    @task
    def next_thing(self):
        if self.reference is None:
            self.client.get("/demarches/nouvelle/student/", name="start: presentation")
            response = self.post("/demarches/nouvelle/student/", {}, "start an application")
            match = re.search(r"/demarches/([A-Z0-9-]+)/", response.headers.get("Location", ""))
            if not match:
                return
            self.reference = match.group(1)
            self.todo = self.steps()
            return
        if self.todo is not None:
            step = next(self.todo, None)
            if step is not None:
                step()
                return
            self.todo = None
        page = self.client.get(f"/demarches/{self.reference}/", name="my application")
        pdf = re.search(r'href="(/demarches/[^"]+/attestations/[^"]+\.pdf)"', page.text)
        if pdf:
            self.client.get(pdf.group(1), name="download an attestation")
        self.client.get("/mon-espace/", name="my space")
        self.visits += 1
        if self.visits >= 3:
            # The next student takes this seat: the surge is many people filing.
            self.client.cookies.clear()
            self.on_start()


class Newcomer(HttpUser):
    """Creates an account with a permit: the registry check, then the e-mail step."""

    weight = 1
    wait_time = between(2, 5)

    @task
    def sign_up(self):
        try:
            number, valid_from, valid_until = next(NEWCOMERS)
        except StopIteration:
            raise StopUser() from None
        page = self.client.get("/compte/creer/titre/", name="sign-up: document form")
        self.client.post(
            "/compte/creer/titre/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "foreign_number": number,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
            name="sign-up: document checked",
        )
        page = self.client.get("/compte/creer/courriel/", name="sign-up: e-mail form")
        self.client.post(
            "/compte/creer/courriel/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "email": f"{number}@surge.example",
                "email_confirm": f"{number}@surge.example",
            },
            name="sign-up: e-mail sent",
        )
        self.client.cookies.clear()


class Agent(HttpUser):
    """An agent of the Préfecture de police: the queue, a search, an application, and
    starting the instruction of what has just arrived."""

    weight = 1
    wait_time = between(2, 6)

    def on_start(self):
        from django_otp.oath import totp

        page = self.client.get("/agents/connexion/", name="agents: login form")
        self.client.post(
            "/agents/connexion/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "identifier": next(AGENTS),
                "password": PLAN["password"],
                "code": f"{totp(bytes.fromhex(PLAN['totp_key_hex'])):06d}",
            },
            name="agents: login",
        )

    @task(3)
    def queue(self):
        page = self.client.get("/agents/", name="agents: queue")
        references = re.findall(r'href="/agents/demandes/([A-Z0-9-]+)/"', page.text)
        if not references:
            return
        reference = references[0]
        view = self.client.get(f"/agents/demandes/{reference}/", name="agents: an application")
        if "/start_instruction/" in view.text:
            self.client.post(
                f"/agents/demandes/{reference}/start_instruction/",
                {"csrfmiddlewaretoken": csrf(view)},
                name="agents: start instruction",
            )

    @task
    def search(self):
        self.client.get("/agents/?q=Etudiant1", name="agents: search")


class Visitor(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    @task(2)
    def help_centre(self):
        self.client.get("/aide/?q=photo", name="help search")

    @task
    def home(self):
        self.client.get("/", name="home")
