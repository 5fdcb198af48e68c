"""The rules of docs/rules.md, one behaviour each, read from the data in force on a day.

Every test here carries the id of the rule it checks (test_register.py requires it)."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from sejour.registry.ephoto import get_ephoto_service
from sejour.registry.models import DocumentKind, EphotoCode, Motive, TaxStamp
from sejour.registry.stamps import get_stamp_service
from sejour.rules.models import Figure, Procedure
from sejour.rules.services import (
    document_requirements,
    fee_breakdown,
    filing_window,
    implicit_refusal_on,
    instruction_rule,
    motive_rule,
    stamp_validity,
    wizard_steps,
)

pytestmark = pytest.mark.django_db

IN_2026 = date(2026, 6, 15)


def total(procedure, motive, late=False, on=IN_2026) -> int:
    return fee_breakdown(procedure=procedure, motive=motive, late=late, on=on).total_cents


def at(day: date):
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))
    return time_machine.travel(moment, tick=False)


# ------------------------------------------------------------------ filing window


def test_rule_filing_window_renewal_from_4_to_2_months_before_the_end():
    ends = date(2026, 10, 31)

    def status(today):
        return filing_window(
            document_kind=DocumentKind.PERMIT,
            valid_from=date(2025, 11, 1),
            valid_until=ends,
            today=today,
        )

    assert status(date(2026, 6, 29)).status == "too_early"
    assert status(date(2026, 6, 29)).opens_on == date(2026, 6, 30)
    assert status(date(2026, 6, 30)).status == "open"
    assert status(date(2026, 8, 30)).status == "open"
    assert status(date(2026, 8, 31)).status == "late"


def test_rule_filing_window_vls_opens_on_the_first_day_of_the_visa():
    state = filing_window(
        document_kind=DocumentKind.VLS,
        valid_from=date(2026, 9, 1),
        valid_until=date(2027, 8, 31),
        today=date(2026, 9, 1),
    )
    assert state.status == "open" and state.opens_on == date(2026, 9, 1)
    # The same rule holds for a permit only four months before its end.
    assert (
        filing_window(
            document_kind=DocumentKind.PERMIT,
            valid_from=date(2026, 9, 1),
            valid_until=date(2027, 8, 31),
            today=date(2026, 9, 1),
        ).status
        == "too_early"
    )


# ------------------------------------------------------------------ fees


def test_rule_fee_first_application_tax_and_stamp_duty():
    assert total(Procedure.FIRST, Motive.TALENT) == 300_00 + 50_00
    assert total(Procedure.FIRST, Motive.STUDENT) == 100_00 + 50_00


def test_rule_fee_renewal_tax_and_stamp_duty():
    assert total(Procedure.RENEWAL, Motive.VISITOR) == 200_00 + 50_00
    assert total(Procedure.RENEWAL, Motive.STUDENT) == 50_00 + 50_00


def test_rule_fee_stamp_duty_on_every_card():
    for procedure in (Procedure.FIRST, Procedure.RENEWAL, Procedure.DUPLICATE):
        lines = fee_breakdown(procedure=procedure, motive=Motive.TALENT, late=False, on=IN_2026)
        assert [line.amount_cents for line in lines.lines][-1] == 50_00, procedure


def test_rule_fee_late_renewal_adds_the_late_fee():
    on_time = total(Procedure.RENEWAL, Motive.VISITOR)
    assert total(Procedure.RENEWAL, Motive.VISITOR, late=True) == on_time + 180_00


def test_rule_fee_duplicate_is_the_renewal_tax_plus_the_stamp_duty_for_every_motive():
    for motive in (Motive.TALENT, Motive.TALENT_FAMILY, Motive.VISITOR):
        assert total(Procedure.DUPLICATE, motive) == total(Procedure.RENEWAL, motive) == 250_00
    assert total(Procedure.DUPLICATE, Motive.STUDENT) == 50_00 + 50_00
    # Never late: a duplicate has no filing window.
    assert total(Procedure.DUPLICATE, Motive.VISITOR, late=True) == 250_00


def test_rule_fee_address_change_new_card_costs_the_stamp_duty_only():
    assert total(Procedure.ADDRESS_CHANGE, Motive.VISITOR) == 50_00


def test_rule_fee_duplicate_shipped_row_is_corrected_by_the_migration():
    """The 25 € row of the first release is replaced when nobody edited it."""
    import importlib

    from sejour.rules.models import Fee

    migration = importlib.import_module("sejour.rules.migrations.0004_sources_and_dated_figures")
    Fee.objects.filter(code="tax_duplicate").update(amount_cents=2500, source="")
    edited = Fee.objects.get(code="tax_duplicate_student")
    edited.amount_cents = 1234  # an administrator's edit, kept
    edited.save()

    class Editor:
        class connection:  # noqa: N801 - the shape schema editors have
            alias = "default"

    from django.apps import apps

    migration.correct_shipped_values(apps, Editor())
    assert Fee.objects.get(code="tax_duplicate").amount_cents == 200_00
    assert "L.436-1" in Fee.objects.get(code="tax_duplicate").source
    assert Fee.objects.get(code="tax_duplicate_student").amount_cents == 1234


# ------------------------------------------------------------------ wizard, resources, documents


def test_rule_wizard_steps_six_with_resources_five_without():
    student = [step.slug for step in wizard_steps(motive=Motive.STUDENT, on=IN_2026)]
    talent = [step.slug for step in wizard_steps(motive=Motive.TALENT, on=IN_2026)]
    assert len(student) == 6 and "resources" in student
    assert len(talent) == 5 and "resources" not in talent


def test_rule_resources_threshold_visitor_follows_the_net_minimum_wage():
    assert motive_rule(Motive.VISITOR, date(2025, 12, 31)).monthly_resources_cents == 1426_30
    assert motive_rule(Motive.VISITOR, date(2026, 1, 1)).monthly_resources_cents == 1443_11
    assert motive_rule(Motive.STUDENT, IN_2026).monthly_resources_cents == 615_00
    assert motive_rule(Motive.TALENT, IN_2026).monthly_resources_cents == 0


def test_rule_resources_threshold_is_the_one_of_the_day_the_application_started(
    client, registry_person
):
    from sejour.accounts.models import User
    from sejour.applications import services
    from sejour.applications.tests.helpers import MOTIVE, PERSONAL

    with at(date(2026, 3, 2)):
        registry_person(foreign_number="7500000077", motive=Motive.VISITOR)
        user = User.objects.create_user("7500000077", "x", email="v@example.org")
        application = services.application_start(applicant=user, motive=Motive.VISITOR)
        for step in ("personal", "motive"):
            services.application_step_save(
                application=application,
                step=step,
                data=PERSONAL if step == "personal" else MOTIVE["visitor"],
                by=user,
            )
        client.force_login(user)
        response = client.get(
            reverse("applications:step", args=[application.reference, "resources"])
        )
    assert response.context["threshold_euros"] == 1443


def test_rule_documents_per_motive_birth_certificate_on_a_first_application_only():
    first = {r.code for r in document_requirements(motive="student", procedure="first", on=IN_2026)}
    renewal = {
        r.code for r in document_requirements(motive="student", procedure="renewal", on=IN_2026)
    }
    assert {"passport", "proof_of_address", "birth_certificate"} <= first
    assert "passport" in renewal and "birth_certificate" not in renewal


# ------------------------------------------------------------------ deadlines of the examination


def test_rule_implicit_refusal_4_months_after_filing_plus_the_pauses():
    rule = instruction_rule(IN_2026)
    assert implicit_refusal_on(filed_on=date(2026, 1, 31), rule=rule) == date(2026, 5, 31)
    assert implicit_refusal_on(filed_on=date(2026, 3, 10), rule=rule) == date(2026, 7, 10)
    assert implicit_refusal_on(filed_on=date(2026, 3, 10), paused_days=12, rule=rule) == date(
        2026, 7, 22
    )


@pytest.mark.usefixtures("clamd", "media_root")
def test_rule_implicit_refusal_4_months_is_the_agents_legal_deadline(applicant, ephoto_codes):
    from sejour.applications import services as application_services
    from sejour.applications.tests.test_submission import ready_to_submit
    from sejour.instruction.services import legal_deadline
    from sejour.rules.services import add_months

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    application.refresh_from_db()
    filed_on = timezone.localdate(application.filed_at)
    deadline = legal_deadline(application)
    assert deadline == add_months(filed_on, 4)
    assert deadline > filed_on + timedelta(days=119)  # not the 90 days of the first release


@pytest.mark.usefixtures("clamd", "media_root")
def test_rule_complement_deadline_defaults_to_30_days_on_the_agents_form(
    applicant, agent_paris, agent_client, ephoto_codes
):
    from sejour.applications import services as application_services
    from sejour.applications.tests.test_submission import ready_to_submit

    application = ready_to_submit(applicant, ephoto_codes["valid"])
    application_services.application_submit(application=application, by=applicant)
    agent = agent_client(agent_paris)
    response = agent.get(reverse("instruction:application", args=[application.reference]))
    form = response.context["complement_form"]
    assert form.fields["deadline"].initial == timezone.localdate() + timedelta(
        days=instruction_rule(timezone.localdate()).complement_days
    )
    assert instruction_rule(timezone.localdate()).complement_days == 30


# ------------------------------------------------------------------ stamps and e-photos


def test_rule_stamp_electronic_only_16_digits_single_use():
    service = get_stamp_service()
    TaxStamp.objects.create(
        number="4000000000000001", amount_cents=250_00, bought_at=timezone.now()
    )
    assert service.check("4000 0000 0000 0001").status == "valid"
    assert service.check("400000000000001").status == "format"  # 15 digits: not electronic
    assert service.check("4000000000000009").status == "unknown"
    assert service.consume(["4000000000000001"], used_for="X")
    assert service.check("4000000000000001").status == "used"
    assert not service.consume(["4000000000000001"], used_for="Y")


def test_rule_stamp_validity_12_months_from_purchase():
    service = get_stamp_service()
    TaxStamp.objects.create(
        number="4000000000000002",
        amount_cents=250_00,
        bought_at=timezone.make_aware(datetime(2026, 1, 15, 12)),
    )
    with at(date(2026, 12, 31)):  # 11 months on: six months was the old, wrong statement
        assert service.check("4000000000000002").status == "valid"
    with at(date(2027, 1, 15)):
        assert service.check("4000000000000002").status == "expired"
    assert stamp_validity(IN_2026).usable_months == 12
    assert stamp_validity(IN_2026).refund_until_months == 18


def test_rule_stamp_validity_is_suspended_while_the_application_was_examined():
    service = get_stamp_service()
    TaxStamp.objects.create(
        number="4000000000000003",
        amount_cents=250_00,
        bought_at=timezone.make_aware(datetime(2025, 12, 1, 12)),
    )
    examined = (date(2026, 1, 10), date(2026, 6, 10))  # 151 days of examination
    with at(date(2026, 12, 20)):
        assert service.check("4000000000000003").status == "expired"
        assert service.check("4000000000000003", examined=examined).status == "valid"
    with at(date(2026, 12, 1) + timedelta(days=151)):
        assert service.check("4000000000000003", examined=examined).status == "expired"


def test_rule_stamp_validity_is_what_the_stamps_page_and_the_desk_say(
    client, applicant, agent_paris
):
    body = client.get(reverse("core:stamps")).content.decode()
    assert "12 months after you buy it" in body
    assert "within 18 months of buying it" in body
    from sejour.instruction.services import STAMP_MESSAGES

    assert "more than 12 months ago" in str(STAMP_MESSAGES["expired"]("4000000000000002"))


def test_rule_ephoto_validity_6_months_from_the_shot():
    taken = timezone.make_aware(datetime(2026, 1, 10, 9))
    EphotoCode.objects.create(code="REGLE6MOISA1B2C3D4E5F6", taken_at=taken, available_at=taken)
    service = get_ephoto_service()
    with at(date(2026, 7, 9)):
        assert service.check("REGLE6MOISA1B2C3D4E5F6").status == "valid"
    with at(date(2026, 7, 11)):
        assert service.check("REGLE6MOISA1B2C3D4E5F6").status == "expired"


def test_rule_ephoto_validity_a_later_figure_applies_to_later_shots_only():
    Figure.objects.filter(name="ephoto_validity").update(effective_until=date(2026, 6, 1))
    Figure.objects.create(
        code="ephoto_validity_test",
        name="ephoto_validity",
        value={"usable_months": 3, "uses": 1},
        effective_from=date(2026, 6, 1),
    )
    before = timezone.make_aware(datetime(2026, 5, 20, 9))
    after = timezone.make_aware(datetime(2026, 6, 2, 9))
    EphotoCode.objects.create(code="AVANTA1B2C3D4E5F6G7H8J", taken_at=before, available_at=before)
    EphotoCode.objects.create(code="APRESA1B2C3D4E5F6G7H8J", taken_at=after, available_at=after)
    with at(date(2026, 9, 10)):
        assert get_ephoto_service().check("AVANTA1B2C3D4E5F6G7H8J").status == "valid"
        assert get_ephoto_service().check("APRESA1B2C3D4E5F6G7H8J").status == "expired"


# ------------------------------------------------------------------ support line


def test_rule_support_line_hours_come_from_the_figure_in_force(client, settings):
    settings.LANGUAGE_CODE = "fr"
    body = client.get(reverse("support:contact"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "lundi" in body and "vendredi" in body and "09:00" in body and "17:00" in body
    Figure.objects.filter(name="support_line").update(effective_until=timezone.localdate())
    Figure.objects.create(
        code="support_line_test",
        name="support_line",
        value={"weekdays": [0, 1, 2, 3, 4, 5], "opens": "08:30", "closes": "18:00"},
        effective_from=timezone.localdate(),
    )
    body = client.get(reverse("support:contact"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "samedi" in body and "08:30" in body and "18:00" in body
    assert "17:00" not in body


# ------------------------------------------------------------------ eligibility


@pytest.mark.parametrize(
    "motive", [Motive.STUDENT, Motive.TALENT, Motive.TALENT_FAMILY, Motive.VISITOR]
)
def test_rule_eligibility_online_motives_permit_holders_go_on_to_their_e_mail(
    client, registry_person, motive
):
    permit = registry_person(foreign_number="7500000088", motive=motive)
    response = client.post(
        reverse("accounts:signup_residence"),
        {
            "foreign_number": "7500000088",
            "valid_from": permit.valid_from.isoformat(),
            "valid_until": permit.valid_until.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:signup_email")


# ------------------------------------------------------------------ ADF


@pytest.mark.usefixtures("clamd", "media_root")
def test_rule_adf_content_keeps_the_rights_travel_and_work(applicant, agent_paris, ephoto_codes):
    from django.utils import translation
    from django.utils.translation import gettext as _

    from sejour.attestations.models import Attestation
    from sejour.attestations.tests.test_coverage_and_verification import (
        decide,
        pdf_text,
        under_instruction,
    )

    application = under_instruction(applicant, ephoto_codes["valid"], agent_paris)
    decide(application, agent_paris)
    adf = Attestation.objects.get(application=application, kind=Attestation.Kind.ADF)
    text = pdf_text(adf)
    with translation.override("fr"):
        expected = [
            _(
                "It is valid only together with the residence permit or long-stay visa held "
                "before, even if it has expired."
            ),
            _("It keeps all the rights given by that previous document."),
            _("It allows travel, and entry into the Schengen area through any border."),
            _(
                "Work: the previous document allowed work, so the holder may go on working "
                "while this attestation is valid."
            ),
        ]
    for sentence in expected:
        assert " ".join(sentence.split())[:40] in text, sentence
    assert (adf.valid_until - adf.valid_from).days <= 92  # up to 3 months, like an ADP


# ------------------------------------------------------------------ loading


def test_loading_gives_the_files_source_to_rows_loaded_before_sources_unless_edited():
    from sejour.rules.models import Fee
    from sejour.rules.services import rules_sync

    Fee.objects.filter(code__in=["tax_first", "tax_renewal"]).update(source="")
    Fee.objects.filter(code="tax_renewal").update(amount_cents=123_45)  # an administrator's
    rules_sync()
    assert "L.436-1" in Fee.objects.get(code="tax_first").source
    edited = Fee.objects.get(code="tax_renewal")
    assert edited.source == "" and edited.amount_cents == 123_45


def test_rule_implicit_refusal_4_months_is_what_the_supervisors_dashboard_says(
    agent_client, supervisor_paris
):
    page = agent_client(supervisor_paris)
    body = page.get(reverse("figures:dashboard", args=["75"])).content.decode()
    assert "4 months after the filing day (CESEDA R.432-2)" in body


@pytest.mark.usefixtures("clamd", "media_root")
def test_rule_stamp_validity_the_desk_counts_the_examination_out(
    applicant, agent_paris, agent_client, ephoto_codes, django_capture_on_commit_callbacks
):
    from sejour.applications.models import Application, Status
    from sejour.instruction.tests.test_lifecycle import action, filed_application

    application = filed_application(
        applicant, ephoto_codes["valid"], django_capture_on_commit_callbacks
    )
    agent = agent_client(agent_paris)
    action(agent, application, "start_instruction")
    action(agent, application, "decide", {"decision": "favourable", "reasons": "ok"})
    action(agent, application, "mark_permit_made")
    now = timezone.now()
    # Bought 13 months ago, before filing; examined for 180 days: still usable.
    Application.objects.filter(pk=application.pk).update(
        filed_at=now - timedelta(days=200), decided_at=now - timedelta(days=20)
    )
    TaxStamp.objects.create(
        number="4000000000000004", amount_cents=100_00, bought_at=now - timedelta(days=395)
    )
    response = action(agent, application, "hand_over", {"stamps": "4000000000000004"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.HANDED_OVER
