"""The agent's view of identity: the national file's person (what attestations print)
against what the applicant typed in the wizard, and whether a difference is resolved."""

import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sejour.accounts.selectors import CertifiedIdentity, certified_identity
from sejour.applications.models import Application

from .models import IdentityReview

COMPARED = (
    ("last_name", _("Last name")),
    ("first_names", _("First names")),
    ("birth_date", _("Date of birth")),
)


def _fold(value: str) -> str:
    """Names compare without case, accents, hyphens or extra spaces: the national file
    writes DIALLO or HELENE where a person types Diallo or Hélène."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(text.replace("-", " ").replace("'", " ").split())


def _shown(name: str, value: str) -> str:
    if name == "birth_date" and value:
        try:
            return date_format(date.fromisoformat(value), "j F Y")
        except ValueError:
            return value
    return value or "—"


@dataclass(frozen=True)
class Difference:
    label: str
    answer: str
    registry: str


@dataclass
class IdentityComparison:
    identity: CertifiedIdentity | None
    differences: list[Difference] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    registry: dict = field(default_factory=dict)
    review: IdentityReview | None = None  # the finding on exactly these values

    @property
    def unresolved(self) -> bool:
        return bool(self.differences) and self.review is None

    @property
    def registry_to_correct(self) -> bool:
        return (
            bool(self.differences)
            and self.review is not None
            and self.review.verdict == IdentityReview.Verdict.ANSWERS_RIGHT
        )


def identity_compare(application: Application) -> IdentityComparison:
    """The certified identity, the typed answers that differ from it, and the
    agent's finding if one covers these very values."""
    identity = certified_identity(application=application)
    if identity is None:
        return IdentityComparison(identity=None)
    personal = application.answers.get("personal", {})
    answers = {name: str(personal.get(name, "")) for name, _label in COMPARED}
    registry = {
        "last_name": identity.last_name,
        "first_names": identity.first_names,
        "birth_date": identity.birth_date.isoformat(),
    }
    differences = [
        Difference(
            label=str(label),
            answer=_shown(name, answers[name]),
            registry=_shown(name, registry[name]),
        )
        for name, label in COMPARED
        if _fold(answers[name]) != _fold(registry[name])
    ]
    review = None
    if differences:
        review = next(
            (
                r
                for r in application.identity_reviews.select_related("created_by")
                if r.answers == answers and r.registry == registry
            ),
            None,
        )
    return IdentityComparison(
        identity=identity,
        differences=differences,
        answers=answers,
        registry=registry,
        review=review,
    )
