"""The main journeys under load: visitors reading help pages, applicants logging in and
following their applications, agents working their queue.

Run by bench/run.sh against gunicorn (several workers) and PostgreSQL.
"""

import re

from locust import HttpUser, between, task

DEMO_PASSWORD = "sejour-demo-2026"
APPLICANTS = ["7501000001", "6901000002", "1301000003", "6901000007", "5901000008"]


def csrf(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    return match.group(1) if match else ""


class Visitor(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def help_centre(self):
        self.client.get("/aide/", name="help")
        self.client.get("/aide/?q=photo", name="help search")

    @task
    def fees(self):
        self.client.get("/aide/tarifs/?motive=student&procedure=renewal", name="fee simulator")

    @task
    def verify(self):
        self.client.get("/verifier/not-a-real-token/", name="verify attestation")

    @task
    def sign_up_attempt(self):
        page = self.client.get("/compte/creer/titre/", name="sign-up form")
        self.client.post(
            "/compte/creer/titre/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "foreign_number": "7500000999",
                "valid_from": "2025-01-01",
                "valid_until": "2026-01-01",
            },
            name="sign-up (no match)",
        )


class Applicant(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        identifier = APPLICANTS[id(self) % len(APPLICANTS)]
        page = self.client.get("/connexion/", name="login form")
        self.client.post(
            "/connexion/",
            {
                "csrfmiddlewaretoken": csrf(page),
                "identifier": identifier,
                "password": DEMO_PASSWORD,
            },
            name="login",
        )

    @task(3)
    def my_space(self):
        self.client.get("/mon-espace/", name="my space")

    @task(3)
    def applications(self):
        self.client.get("/demarches/", name="my applications")

    @task(2)
    def chooser(self):
        self.client.get("/demarches/nouvelle/", name="procedure chooser")

    @task
    def presentation(self):
        self.client.get("/demarches/nouvelle/student/", name="presentation")
