"""ADPs issued and renewed automatically, with no day uncovered; attestations that
anyone can check (SPEC §4)."""

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from sejour.applications import services as application_services
from sejour.applications.models import Application, Status
from sejour.applications.tests.test_submission import ready_to_submit
from sejour.attestations import signing
from sejour.attestations.models import Attestation
from sejour.attestations.services import verification_url
from sejour.instruction import services
from sejour.registry.models import DocumentKind

pytestmark = pytest.mark.usefixtures("clamd", "media_root")


def pdf_text(attestation) -> str:
    attestation.file.open("rb")
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(attestation.file.read())).pages
    )
    attestation.file.close()
    return " ".join(text.split())


def covered(application, day: date) -> bool:
    """Does the applicant hold a valid document on this day?"""
    if day <= application.current_document_ends_on:
        return True
    return Attestation.objects.filter(
        application=application,
        kind__in=(Attestation.Kind.ADP, Attestation.Kind.ADF),
        valid_from__lte=day,
        valid_until__gte=day,
        revoked_at__isnull=True,
    ).exists()


def at(day: date):
    return time_machine.travel(
        datetime.combine(day, datetime.min.time()).replace(hour=9), tick=False
    )


def under_instruction(user, code, agent):
    """Filed and taken up; the attestations the worker makes after commit are made too."""
    from django.test import TestCase

    application = ready_to_submit(user, code)
    application_services.application_submit(application=application, by=user)
    application.refresh_from_db()
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.instruction_start(application=application, by=agent)
    application.refresh_from_db()
    return application


def decide(application, agent, favourable=True):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.decision_record(
            application=application, favourable=favourable, reasons="ok", by=agent
        )
    application.refresh_from_db()


@pytest.fixture(params=["renewal", "first application"])
def person(request, registry_person):
    """A permit holder renewing, or a visa holder filing a first application."""
    if request.param == "renewal":
        return request.getfixturevalue("applicant")
    from sejour.accounts.models import User

    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-270, ends_in_days=90)
    return User.objects.create_user(None, email="v@example.org", visa_number="123456789")


@pytest.mark.django_db
def test_rule_adp_duration_keeps_the_person_covered_every_day_until_the_decision(
    person, agent_paris, ephoto_codes
):
    start = timezone.localdate()
    application = under_instruction(person, ephoto_codes["valid"], agent_paris)
    assert application.procedure == ("first" if person.visa_number else "renewal")
    ends = application.current_document_ends_on  # 90 days from now
    assert not Attestation.objects.filter(kind=Attestation.Kind.ADP).exists()  # not needed yet

    day = start
    while day <= ends + timedelta(days=200):
        with at(day):
            call_command("attestations_cover", verbosity=0)
            assert covered(application, day), day
            # Never less than the renewal lead ahead.
            assert covered(application, day + timedelta(days=14)), day
        day += timedelta(days=1)

    adps = list(
        Attestation.objects.filter(application=application, kind=Attestation.Kind.ADP).order_by(
            "valid_from"
        )
    )
    assert len(adps) >= 3
    assert adps[0].valid_from == ends + timedelta(days=1)
    for earlier, later in zip(adps, adps[1:], strict=False):
        assert later.valid_from == earlier.valid_until + timedelta(days=1)
        assert earlier.superseded_by_id == later.pk
        assert (earlier.valid_until - earlier.valid_from).days <= 92  # up to 3 months
    with translation.override("fr"):
        with_previous = _(
            "It is valid only together with the previous residence permit (card or visa), even if that permit has expired."
        )
    if application.procedure == "renewal":  # the first-application wording is tested below
        assert " ".join(with_previous.split())[:40] in pdf_text(adps[0])


@pytest.mark.django_db
def test_rule_adp_content_differs_for_first_application_and_renewal(
    applicant, registry_person, agent_paris, ephoto_codes
):
    from sejour.accounts.models import User

    registry_person(kind=DocumentKind.VLS, number="123456789", starts_in_days=-300, ends_in_days=10)
    visa_holder = User.objects.create_user(None, email="k@example.org", visa_number="123456789")
    first = under_instruction(visa_holder, ephoto_codes["valid"], agent_paris)
    renewal_user = applicant
    from sejour.registry.models import ResidenceDocument

    ResidenceDocument.objects.filter(person__foreign_number=renewal_user.identifier).update(
        valid_until=timezone.localdate() + timedelta(days=10)
    )
    renewal = under_instruction(renewal_user, ephoto_codes["valid2"], agent_paris)
    first_adp = Attestation.objects.get(application=first, kind=Attestation.Kind.ADP)
    renewal_adp = Attestation.objects.get(application=renewal, kind=Attestation.Kind.ADP)
    first_text, renewal_text = pdf_text(first_adp), pdf_text(renewal_adp)
    with translation.override("fr"):
        no_travel = _(
            "It does not allow travel: the holder cannot enter the Schengen area with it, whatever the border."
        )
        no_new_rights = _("It opens no new rights, unless stated on this document.")
        travel = _("It allows travel, and entry into the Schengen area through any border.")
        keeps_work = _(
            "Work: the previous permit allowed work, so the holder may go on working while this attestation is valid."
        )
    no_travel, no_new_rights, travel, keeps_work = (
        " ".join(text.split()) for text in (no_travel, no_new_rights, travel, keeps_work)
    )
    assert no_travel[:45] in first_text and no_new_rights[:40] in first_text
    assert travel[:40] in renewal_text and no_travel[:45] not in renewal_text
    assert keeps_work[:45] in renewal_text
    assert renewal_adp.data["allows_work"] is True


@pytest.mark.django_db
def test_favourable_decision_replaces_the_adp_with_an_adf_that_is_renewed_until_handover(
    applicant, agent_paris, ephoto_codes
):
    from sejour.registry.models import ResidenceDocument

    ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
        valid_until=timezone.localdate() + timedelta(days=5)
    )
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    decide(application, agent_paris)
    adp.refresh_from_db()
    adf = Attestation.objects.get(application=application, kind=Attestation.Kind.ADF)
    assert adp.superseded_by_id == adf.pk
    day = timezone.localdate()
    for _day in range(150):
        with at(day):
            call_command("attestations_cover", verbosity=0)
            assert Attestation.objects.filter(
                application=application,
                kind=Attestation.Kind.ADF,
                valid_from__lte=day,
                valid_until__gte=day,
            ).exists(), day
        day += timedelta(days=1)
    assert (
        Attestation.objects.filter(application=application, kind=Attestation.Kind.ADF).count() >= 2
    )


@pytest.mark.django_db
def test_no_coverage_after_a_refusal_or_a_withdrawal(applicant, agent_paris, ephoto_codes):
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    application_services.application_withdraw(application=application, by=applicant, reason="")
    with at(application.current_document_ends_on):
        call_command("attestations_cover", verbosity=0)
    assert not Attestation.objects.filter(kind=Attestation.Kind.ADP).exists()


@pytest.mark.django_db
def test_verification_tells_genuine_forged_expired_and_superseded_apart(
    client, applicant, agent_paris, ephoto_codes
):
    from sejour.registry.models import ResidenceDocument

    ResidenceDocument.objects.filter(person__foreign_number=applicant.identifier).update(
        valid_until=timezone.localdate() + timedelta(days=3)
    )
    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    adp = Attestation.objects.get(application=application, kind=Attestation.Kind.ADP)
    url = verification_url(adp).split("://", 1)[1].split("/", 1)[1]
    url = "/" + url

    with at(adp.valid_from + timedelta(days=1)):
        page = client.get(url).content.decode()
    assert "Genuine and valid today" in page
    assert adp.holder_name in page and adp.number in page

    # Altered: one character of the signed token changed.
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    page = client.get(reverse("attestations:verify", args=[forged])).content.decode()
    assert "Not genuine" in page and adp.holder_name not in page
    # Signed by a key that is not ours.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()
    body = signing._b64(b'{"k":"dev1","n":"' + adp.number.encode() + b'"}')
    fake = f"{body}.{signing._b64(other.sign(body.encode()))}"
    assert "Not genuine" in client.get(reverse("attestations:verify", args=[fake])).content.decode()
    assert (
        "Not genuine"
        in client.get(reverse("attestations:verify", args=["garbage"])).content.decode()
    )

    with at(adp.valid_until + timedelta(days=1)):
        page = client.get(url).content.decode()
    assert "Genuine, but expired" in page

    with at(adp.valid_until - timedelta(days=10)):
        call_command("attestations_cover", verbosity=0)
        # The next one is issued ahead of time; this one stays valid until it ends.
        assert "Genuine and valid today" in client.get(url).content.decode()
    with at(adp.valid_until + timedelta(days=1)):
        page = client.get(url).content.decode()
    assert "Genuine, but replaced" in page

    # Typed by hand rather than scanned.
    response = client.get(reverse("attestations:verify_form"), {"code": "https://x" + url})
    assert response.status_code == 302 and response.url == url


@pytest.mark.django_db
def test_keys_can_rotate_without_breaking_old_attestations(
    settings, applicant, agent_paris, ephoto_codes
):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    old = signing._b64(Ed25519PrivateKey.generate().private_bytes_raw())
    new = signing._b64(Ed25519PrivateKey.generate().private_bytes_raw())
    settings.ATTESTATION_SIGNING_KEYS = f"k2025:{old}"
    signing.signing_keys.cache_clear()
    try:
        token = signing.sign({"n": "AT-TEST"})
        settings.ATTESTATION_SIGNING_KEYS = f"k2026:{new},k2025:{old}"
        signing.signing_keys.cache_clear()
        assert signing.verify(token)["n"] == "AT-TEST"
        assert signing.verify(signing.sign({"n": "AT-2"}))["k"] == "k2026"
        settings.ATTESTATION_SIGNING_KEYS = f"k2026:{new}"
        signing.signing_keys.cache_clear()
        assert signing.verify(token) is None
    finally:
        signing.signing_keys.cache_clear()


@pytest.mark.django_db
def test_every_attestation_carries_a_qr_code(applicant, agent_paris, ephoto_codes):
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    from sejour.attestations.services import attestation_filing_issue

    filing = attestation_filing_issue(application_id=application.pk)
    text = pdf_text(filing)
    assert "/verifier/" in text.replace(" ", "")
    assert Application.objects.get(pk=application.pk).status == Status.FILED


@pytest.mark.django_db
def test_rule_adp_from_filing_the_filing_attestation_says_so(applicant, ephoto_codes):
    """docs/decisions/0002: the ADP covers from filing, so the attestation of
    filing must not promise it only once the prefecture has taken note."""
    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    from sejour.attestations.services import attestation_filing_issue

    text = " ".join(pdf_text(attestation_filing_issue(application_id=application.pk)).split())
    assert "pris connaissance" not in text
    assert "taken note" not in text
    assert "avant sa fin" in text
