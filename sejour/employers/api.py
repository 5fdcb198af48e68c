"""The employers' API for payroll and HR software (django-ninja), version 1.

`/api/v1/` carries the version in the URL; a new major version gets its own
NinjaAPI beside this one. The OpenAPI description is served at
`/api/v1/openapi.json` and read as a page at `/api/v1/documentation/`.
Every error is `application/problem+json` (RFC 9457): 401 without a valid
token, 403 for a revoked token, a missing scope or another employer's SIRET,
404 for a check that is not this employer's, 422 for bad input, 429 over the
rate limit. The input goes through the web form (`CheckForm`), so the API and
the page refuse the same things with the same translated messages.
"""

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field

from sejour.accounts.throttle import client_address
from sejour.core.http import download_filename
from sejour.core.storage import stored_file_response

from . import selectors, services
from .forms import CheckForm
from .models import ApiToken, CheckRequest, ContractType, token_hash
from .pdf import answer_verification_url

PROBLEM = "application/problem+json"


class Problem(Exception):
    def __init__(
        self, status: int, kind: str, title: str, detail: str = "", errors=None, headers=None
    ):
        super().__init__(title)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.errors, self.headers = errors, headers or {}


def problem_response(problem: Problem) -> JsonResponse:
    body = {
        "type": f"{settings.SITE_URL}/api/v1/documentation/#problem-{problem.kind}",
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail or problem.title,
    }
    if problem.errors is not None:
        body["errors"] = problem.errors
    response = JsonResponse(body, status=problem.status, content_type=PROBLEM)
    for name, value in problem.headers.items():
        response[name] = value
    return response


class TokenAuth(HttpBearer):
    """A token of the employer, not revoked, under its rate limit."""

    def authenticate(self, request, token):
        row = (
            ApiToken.objects.select_related("employer")
            .filter(token_hash=token_hash(token.strip()))
            .first()
        )
        if row is None:
            return None
        if row.revoked_at is not None:
            raise Problem(403, "token-revoked", _("This token was revoked."))
        count, retry_after = services.api_usage_count(token=row)
        if count > settings.EMPLOYER_API_REQUESTS_PER_MINUTE:
            raise Problem(
                429,
                "rate-limited",
                _("Too many requests."),
                _(
                    "At most %(count)d requests a minute per token: "
                    "try again in %(seconds)d seconds."
                )
                % {"count": settings.EMPLOYER_API_REQUESTS_PER_MINUTE, "seconds": retry_after},
                headers={"Retry-After": str(retry_after)},
            )
        return row


class EmployersAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """Errors are described as problem+json, as they are sent."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM] = content.pop("application/json")
        schema["info"]["x-rate-limit"] = (
            f"{settings.EMPLOYER_API_REQUESTS_PER_MINUTE} requests per minute per token"
        )
        return schema


api = EmployersAPI(
    title="Séjour — employers' checks",
    version="1",
    description=(
        "Check that a foreign national's permit, receipt, ADP or ADF is genuine and allows "
        "work on a job's start date. Authenticate with `Authorization: Bearer <token>` "
        "(tokens are made by an employer's administrator in the employer's space, with the "
        "scopes `checks:write` and/or `checks:read`). The answer says only: genuine, valid "
        "on the start date, allows work, until when, and the students' yearly limit."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    auth=TokenAuth(),
)


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return problem_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(
        Problem(
            401,
            "unauthenticated",
            _("A valid API token is needed."),
            _("Send the header “Authorization: Bearer <token>” with a token of your employer."),
            headers={"WWW-Authenticate": 'Bearer realm="sejour"'},
        )
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        message = (
            _("This field is required.")
            if error.get("type") == "missing"
            else _("This value is not valid.")
        )
        errors.append({"field": ".".join(location) or None, "message": message})
    return problem_response(Problem(422, "invalid", _("The request is not valid."), errors=errors))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(Problem(404, "not-found", _("No such check for this employer.")))


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


class CheckIn(Schema):
    foreign_number: str | None = Field(
        None, description="10 digits (9 on older cards). Give this or attestation_number."
    )
    attestation_number: str | None = Field(
        None, description="The number printed on an ADP or ADF, e.g. AT-ABCD234567."
    )
    document_valid_from: str = Field(
        description="Start of validity, YYYY-MM-DD.", examples=["2025-09-01"]
    )
    document_valid_until: str = Field(
        description="End of validity, YYYY-MM-DD.", examples=["2026-08-31"]
    )
    job_start: str = Field(description="First day of the job, YYYY-MM-DD.", examples=["2026-01-05"])
    contract_type: Literal[tuple(ContractType.values)] = Field(description="Kind of contract.")  # type: ignore[valid-type]


class AnswerOut(Schema):
    genuine: bool
    valid_on_start: bool | None
    allows_work: bool | None
    valid_until: date | None
    yearly_work_limit_hours: int | None = Field(
        description="Set for students: hours a year they may work at most (964)."
    )
    holder_name: str | None = Field(description="The holder as the national files name them.")
    holder_birth_date: date | None
    answered_at: datetime
    answered_by: Literal["sejour", "prefecture"]
    verification_url: str = Field(description="The page that checks the signed answer.")


class CheckOut(Schema):
    reference: str
    status: Literal["answered", "waiting_prefecture"]
    asked_at: datetime
    job_start: date
    answer_due_on: date | None = Field(description="When the prefecture answers at the latest.")
    answer: AnswerOut | None


def check_out(check: CheckRequest) -> dict:
    """The API's answer: these fields and no other (tested)."""
    answer = None
    if check.is_answered:
        answer = {
            "genuine": bool(check.genuine),
            "valid_on_start": check.valid_on_start,
            "allows_work": check.allows_work,
            "valid_until": check.valid_until,
            "yearly_work_limit_hours": check.yearly_work_limit_hours,
            "holder_name": check.holder_name or None,
            "holder_birth_date": check.holder_birth_date,
            "answered_at": check.answered_at,
            "answered_by": "prefecture" if check.answered_by_id else "sejour",
            "verification_url": answer_verification_url(check),
        }
    return {
        "reference": check.reference,
        "status": check.status,
        "asked_at": check.created_at,
        "job_start": check.job_start,
        "answer_due_on": check.due_on,
        "answer": answer,
    }


def _token_for(request: HttpRequest, siret: str, scope: str) -> ApiToken:
    token = request.auth
    if token.employer.siret != siret:
        raise Problem(403, "other-employer", _("This token belongs to another employer."))
    if scope not in token.scopes:
        raise Problem(
            403,
            "scope",
            _("This token may not do this."),
            _("It needs the scope “%(scope)s”.") % {"scope": scope},
        )
    return token


ERRORS = {401: ProblemOut, 403: ProblemOut, 422: ProblemOut, 429: ProblemOut}


@api.post(
    "/employers/{siret}/checks",
    response={201: CheckOut, **ERRORS},
    summary="Ask for a check",
    description=(
        "Answers at once when the national files are conclusive (status `answered`); "
        "otherwise the competent prefecture answers within two working days "
        "(status `waiting_prefecture`, `answer_due_on`): read it again later."
    ),
    operation_id="check_create",
)
def check_create(request, siret: str, payload: CheckIn):
    token = _token_for(request, siret, ApiToken.Scope.CHECKS_WRITE)
    form = CheckForm(data={k: v or "" for k, v in payload.model_dump().items()})
    if not form.is_valid():
        errors = [
            {"field": None if field == "__all__" else field, "message": str(message)}
            for field, messages in form.errors.items()
            for message in messages
        ]
        raise Problem(422, "invalid", _("The request is not valid."), errors=errors)
    try:
        check = services.check_request_create(
            employer=token.employer,
            by=None,
            api_token=token,
            ip_address=client_address(request),
            **form.cleaned_data,
        )
    except services.TooManyChecks as error:
        raise Problem(
            429,
            "too-many-checks",
            _("Too many checks."),
            _("At most %(count)d checks an hour per employer: try again in %(seconds)d seconds.")
            % {"count": settings.EMPLOYER_CHECKS_PER_HOUR, "seconds": error.retry_after},
            headers={"Retry-After": str(error.retry_after)},
        ) from error
    return Status(201, check_out(check))


@api.get(
    "/employers/{siret}/checks/{reference}",
    response={200: CheckOut, 404: ProblemOut, **ERRORS},
    summary="Read a check and its answer",
    operation_id="check_read",
)
def check_read(request, siret: str, reference: str):
    token = _token_for(request, siret, ApiToken.Scope.CHECKS_READ)
    return Status(
        200, check_out(selectors.check_for_employer(employer=token.employer, reference=reference))
    )


@api.get(
    "/employers/{siret}/checks/{reference}/answer.pdf",
    response={200: bytes, 404: ProblemOut, **ERRORS},
    summary="The signed answer (PDF with its QR code)",
    description="404 until the answer exists and its PDF is made (a few seconds).",
    operation_id="check_answer_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def check_pdf(request, siret: str, reference: str):
    token = _token_for(request, siret, ApiToken.Scope.CHECKS_READ)
    check = selectors.check_for_employer(employer=token.employer, reference=reference)
    if not check.pdf:
        raise Http404
    return stored_file_response(
        request,
        check.pdf,
        content_type="application/pdf",
        filename=download_filename(
            check.reference, pgettext("file name", "check-answer"), extension="pdf"
        ),
    )


def documentation(request):
    """The OpenAPI description read as a page (no script needed)."""
    from django.shortcuts import render

    schema = api.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    return render(
        request,
        "employers/api_docs.html",
        {
            "schema": schema,
            "operations": operations,
            "openapi_url": reverse("api-v1:openapi-json"),
            "rate_limit": settings.EMPLOYER_API_REQUESTS_PER_MINUTE,
        },
    )
