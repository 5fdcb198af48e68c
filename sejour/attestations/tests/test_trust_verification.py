"""Issue 17, item 8 (two points): attestations of an application that ended verify as
ended, saying why; and a token verifies only in the exact spelling Séjour signed."""

import base64
import json
import string
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from sejour.applications import services as application_services
from sejour.attestations import signing
from sejour.attestations.models import Attestation
from sejour.attestations.services import attestation_filing_issue, verification_url
from sejour.attestations.tests.test_coverage_and_verification import decide, under_instruction
from sejour.instruction import services as instruction
from sejour.registry.models import ResidenceDocument

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clamd", "media_root")]


def path_of(attestation) -> str:
    return "/" + verification_url(attestation).split("://", 1)[1].split("/", 1)[1]


def today_in_words() -> str:
    return date_format(timezone.localdate(), "j F Y")


@pytest.fixture
def covered(applicant, agent_paris, ephoto_codes):
    """Under instruction, with its attestation of filing and an ADP in force."""
    ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    filing = attestation_filing_issue(application_id=application.pk)
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    return application, filing, adp


def test_a_withdrawn_applications_attestations_say_they_ended_and_why(client, applicant, covered):
    application, filing, adp = covered
    for attestation in (filing, adp):
        assert "Genuine and valid today" in client.get(path_of(attestation)).content.decode()
    application_services.application_withdraw(
        application=application, by=applicant, reason="I am leaving France"
    )
    for attestation in (filing, adp):
        page = client.get(path_of(attestation)).content.decode()
        assert "Genuine, but no longer valid" in page and "valid today" not in page
        assert f"Its holder withdrew the application on {today_in_words()}" in page
        assert "proves neither a pending application nor a right to stay or work" in page
        assert "I am leaving France" not in page  # the holder's reason is theirs


def test_a_refused_applications_attestations_say_it_was_refused(client, agent_paris, covered):
    application, filing, adp = covered
    decide(application, agent_paris, favourable=False)
    for attestation in (filing, adp):
        page = client.get(path_of(attestation)).content.decode()
        assert "Genuine, but no longer valid" in page
        assert f"The prefecture refused the application on {today_in_words()}" in page
    # The decision letter is the refusal itself: it stays genuine and says so.
    letter = Attestation.objects.get(application=application, kind=Attestation.Kind.DECISION)
    assert "Genuine and valid today" in client.get(path_of(letter)).content.decode()


def test_a_closed_applications_attestations_say_it_was_closed(
    client, agent_paris, supervisor_paris, covered
):
    application, filing, adp = covered
    instruction.complement_request(
        application=application,
        items=[{"code": "passport", "problem": "missing"}],
        message="Send it.",
        deadline=timezone.localdate() + timedelta(days=10),
        by=agent_paris,
    )
    later = datetime.combine(timezone.localdate() + timedelta(days=12), datetime.min.time())
    with time_machine.travel(later.replace(hour=10), tick=False):
        instruction.application_close(
            application=application, reason="No answer after 10 days.", by=supervisor_paris
        )
        page = client.get(path_of(filing)).content.decode()
        closed_on = date_format(timezone.localdate(), "j F Y")
    assert "Genuine, but no longer valid" in page
    assert f"The prefecture closed the application without follow-up on {closed_on}" in page


def test_the_reason_is_given_in_the_readers_language(client, applicant, covered):
    application, filing, _adp = covered
    application_services.application_withdraw(application=application, by=applicant, reason="")
    page = client.get(path_of(filing), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        day = date_format(timezone.localdate(), "j F Y")
    assert f"Son titulaire a retiré la demande le {day}" in page


# Tokens: one attestation, one spelling.

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def _token_with_url_safe_characters() -> str:
    """A real token whose parts use "-" or "_", to spell them "+" and "/"."""
    for number in range(500):
        token = signing.sign({"n": f"AT-{number}"})
        if "-" in token or "_" in token:
            return token
    raise AssertionError("no token with - or _")


def variants(token: str) -> dict[str, str]:
    body, signature = token.split(".")
    # 64 signature bytes leave 4 unused bits in the last character: flip one.
    last = ALPHABET[ALPHABET.index(signature[-1]) ^ 1]
    odd = _token_with_url_safe_characters()
    pad = "=" * (-len(body) % 4) or "=="
    return {
        "padded body": f"{body}{pad}.{signature}",
        "padded signature": f"{body}.{signature}==",
        "unused bits set": f"{body}.{signature[:-1]}{last}",
        "standard alphabet": odd.replace("-", "+").replace("_", "/"),
        "spaces around": f" {token} ",
        "newline inside": f"{body}.{signature[:40]}\n{signature[40:]}",
        "a stray character": f"{body}.{signature[:40]}!{signature[40:]}",
        "three parts": f"{body}.{signature}.{signature}",
    }


def test_the_exact_token_verifies_and_no_other_spelling_of_it_does(client, applicant, covered):
    _application, filing, _adp = covered
    token = path_of(filing).rstrip("/").rsplit("/", 1)[1]
    assert signing.verify(token)["n"] == filing.number
    odd = _token_with_url_safe_characters()
    assert signing.verify(odd) is not None
    for name, variant in variants(token).items():
        assert variant != token
        assert signing.verify(variant) is None, name
    for name in ("padded body", "padded signature", "unused bits set"):
        page = client.get(reverse("attestations:verify", args=[variants(token)[name]]))
        assert "Not genuine" in page.content.decode(), name


def test_the_variants_are_the_same_bytes_spelled_otherwise(covered):
    """The test above means something: a lenient decoder reads each variant as the original."""
    _application, filing, _adp = covered
    token = path_of(filing).rstrip("/").rsplit("/", 1)[1]

    def lenient(text):
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    body, signature = token.split(".")
    for name in ("padded body", "padded signature", "unused bits set"):
        other_body, other_signature = variants(token)[name].split(".")
        assert (lenient(other_body), lenient(other_signature)) == (
            lenient(body),
            lenient(signature),
        ), name


def test_a_payload_signed_in_another_json_spelling_is_refused(covered):
    _application, filing, _adp = covered
    key_id, key = signing.signing_keys()[0]
    for raw in (
        json.dumps({"k": key_id, "n": filing.number}).encode(),  # spaces
        json.dumps({"n": filing.number, "k": key_id}, separators=(",", ":")).encode(),  # order
        b'{"k":"%s","n":"x","n":"%s"}' % (key_id.encode(), filing.number.encode()),  # twice
    ):
        body = signing._b64(raw)
        token = f"{body}.{signing._b64(key.sign(body.encode()))}"
        assert signing.verify(token) is None, raw
