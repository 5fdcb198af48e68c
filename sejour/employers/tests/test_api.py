"""The API: its OpenAPI description is valid, and every response matches it."""

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_spec_validator import validate

from sejour.audit.models import AuditEvent
from sejour.employers.models import ApiToken, CheckRequest
from sejour.employers.services import api_token_create, api_token_revoke

from .conftest import BAKERY_SIRET, GARAGE_SIRET

pytestmark = pytest.mark.django_db
CHECKS = f"/api/v1/employers/{BAKERY_SIRET}/checks"


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)  # raises if the description is not valid OpenAPI
    # Problems are JSON under their own media type (RFC 9457).
    config = Config(extra_media_type_deserializers={"application/problem+json": json.loads})
    return OpenAPI.from_dict(document, config=config)


def conforms(spec, response):
    """The response is one the description allows (status, media type, body schema)."""
    spec.validate_response(
        DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
    )
    return response


def body(**overrides):
    today = timezone.localdate()
    return {
        "foreign_number": "7500000001",
        "document_valid_from": (today - timedelta(days=300)).isoformat(),
        "document_valid_until": (today + timedelta(days=90)).isoformat(),
        "job_start": (today + timedelta(days=7)).isoformat(),
        "contract_type": "permanent",
        **overrides,
    }


def post(client, token, data, url=CHECKS):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(url, data, content_type="application/json", headers=headers)


def test_the_description_is_served_and_valid(spec, client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1"
    assert "/api/v1/employers/{siret}/checks" in document["paths"]
    assert "bearer" in str(document["components"]["securitySchemes"]).lower()
    page = client.get("/api/v1/documentation/")
    assert page.status_code == 200 and "Ask for a check" in page.content.decode()


def test_a_conclusive_check_answers_only_what_the_check_needs(
    client, spec, bakery_token, applicant
):
    response = conforms(spec, post(client, bakery_token, body()))
    assert response.status_code == 201
    data = response.json()
    # The privacy rule: these fields and nothing else.
    assert set(data) == {"reference", "status", "asked_at", "job_start", "answer_due_on", "answer"}
    assert set(data["answer"]) == {
        "genuine", "valid_on_start", "allows_work", "valid_until", "yearly_work_limit_hours",
        "holder_name", "holder_birth_date", "answered_at", "answered_by", "verification_url",
    }  # fmt: skip
    assert data["status"] == "answered"
    assert data["answer"]["genuine"] and data["answer"]["allows_work"]
    assert data["answer"]["yearly_work_limit_hours"] == 964
    assert data["answer"]["answered_by"] == "sejour"
    text = response.content.decode()
    for private in ("rue de la Paix", "75011", "student", "Dakar", "sénégalaise"):
        assert private not in text
    check = CheckRequest.objects.get(reference=data["reference"])
    assert check.api_token.hint == bakery_token[:10] and check.requested_by is None
    assert AuditEvent.objects.get(action="employer_check.answered").data["via_api"] is True
    again = conforms(
        spec,
        client.get(
            f"{CHECKS}/{data['reference']}", headers={"Authorization": f"Bearer {bakery_token}"}
        ),
    )
    assert again.status_code == 200 and again.json()["reference"] == data["reference"]


def test_a_check_for_the_prefecture_shows_its_deadline(client, spec, bakery_token, applicant):
    response = conforms(spec, post(client, bakery_token, body(document_valid_from="2020-01-01")))
    data = response.json()
    assert data["status"] == "waiting_prefecture"
    assert data["answer"] is None and data["answer_due_on"]


def test_no_token_or_an_unknown_token_is_401_problem(client, spec, bakery):
    for token in ("", "sej_not-a-token"):
        response = conforms(spec, post(client, token, body()))
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401 and response.json()["title"]
        assert "Bearer" in response["WWW-Authenticate"]
    assert not CheckRequest.objects.exists()


def test_a_revoked_token_is_403(client, spec, bakery, bakery_token):
    api_token_revoke(token=ApiToken.objects.get(employer=bakery.employer), by=bakery.user)
    response = conforms(spec, post(client, bakery_token, body()))
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "revoked" in response.json()["type"]


def test_a_token_of_another_employer_is_403(client, spec, garage_token, bakery):
    response = conforms(spec, post(client, garage_token, body()))
    assert response.status_code == 403 and "other-employer" in response.json()["type"]
    assert not CheckRequest.objects.exists()


def test_another_employers_check_is_404(client, spec, bakery_token, garage_token, applicant):
    theirs = post(
        client, garage_token, body(), url=f"/api/v1/employers/{GARAGE_SIRET}/checks"
    ).json()
    response = conforms(
        spec,
        client.get(
            f"{CHECKS}/{theirs['reference']}", headers={"Authorization": f"Bearer {bakery_token}"}
        ),
    )
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_a_token_without_the_scope_is_403(client, spec, bakery, applicant):
    _row, read_only = api_token_create(
        employer=bakery.employer, name="Read", scopes=["checks:read"], by=bakery.user
    )
    response = conforms(spec, post(client, read_only, body()))
    assert response.status_code == 403 and "scope" in response.json()["type"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"foreign_number": "12ab"}, "foreign_number"),
        ({"document_valid_until": "2000-01-01"}, "document_valid_until"),
        ({"job_start": "not a date"}, "job_start"),
        ({"foreign_number": None}, "foreign_number"),
        ({"contract_type": "slavery"}, "contract_type"),
    ],
)
def test_bad_input_is_422_problem_with_the_field(client, spec, bakery_token, overrides, field):
    response = conforms(spec, post(client, bakery_token, body(**overrides)))
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert not CheckRequest.objects.exists()


def test_a_missing_field_is_422(client, spec, bakery_token):
    data = body()
    del data["job_start"]
    response = conforms(spec, post(client, bakery_token, data))
    assert response.status_code == 422
    assert {"field": "job_start", "message": "This field is required."} in response.json()["errors"]


@override_settings(EMPLOYER_API_REQUESTS_PER_MINUTE=3)
def test_too_many_requests_is_429_with_retry_after(client, spec, bakery_token, applicant):
    for _ in range(3):
        assert post(client, bakery_token, body()).status_code == 201
    response = conforms(spec, post(client, bakery_token, body()))
    assert response.status_code == 429 and response["Content-Type"] == "application/problem+json"
    assert 0 < int(response["Retry-After"]) <= 60
    assert CheckRequest.objects.count() == 3


def test_french_messages_follow_accept_language(client, bakery_token):
    response = client.post(
        CHECKS, body(foreign_number="12ab"), content_type="application/json",
        headers={"Authorization": f"Bearer {bakery_token}", "Accept-Language": "fr"},
    )  # fmt: skip
    assert response.json()["title"] == "La demande n’est pas valable."


def test_tokens_are_hashed_at_rest_and_shown_once(bakery_client, bakery):
    response = bakery_client.post(
        "/employeurs/api/", {"name": "Paie", "scopes": ["checks:write", "checks:read"]}
    )
    clear = response.context["created"]
    assert clear.startswith("sej_") and "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(name="Paie")
    assert clear not in str(row.__dict__)
    assert clear not in bakery_client.get("/employeurs/api/").content.decode()
    bakery_client.post(f"/employeurs/api/{row.pk}/revoquer/")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert AuditEvent.objects.filter(action="employer.api_token_revoked").exists()


def test_too_many_checks_an_hour_is_429(client, spec, bakery_token, applicant, settings):
    settings.EMPLOYER_CHECKS_PER_HOUR = 1
    assert post(client, bakery_token, body()).status_code == 201
    response = conforms(spec, post(client, bakery_token, body()))
    assert response.status_code == 429 and "too-many-checks" in response.json()["type"]
    assert int(response["Retry-After"]) > 0


def test_api_answers_are_never_stored(client, bakery_token, applicant):
    # The answer names the holder and gives their birth date.
    response = post(client, bakery_token, body())
    assert response.status_code == 201 and response.json()["answer"]["holder_birth_date"]
    assert "no-store" in response["Cache-Control"]
    again = client.get(
        f"{CHECKS}/{response.json()['reference']}",
        headers={"Authorization": f"Bearer {bakery_token}"},
    )
    assert again.status_code == 200 and "no-store" in again["Cache-Control"]
