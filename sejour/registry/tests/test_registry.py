"""The local registry behind its adapter, and the reference list of prefectures."""

import pytest

from sejour.registry.adapter import LocalRegistry, get_registry
from sejour.registry.models import DocumentKind, Motive, Person, Prefecture


@pytest.mark.django_db
def test_every_departement_has_its_prefecture_with_a_web_site():
    codes = set(Prefecture.objects.values_list("department_code", flat=True))
    metropolitan = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
    overseas = {"971", "972", "973", "974", "976"}
    assert codes == metropolitan | overseas
    for prefecture in Prefecture.objects.all():
        assert prefecture.website.startswith("https://")
        assert prefecture.website.rstrip("/").endswith("gouv.fr")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("postcode", "name"),
    [("75011", "Préfecture de police"), ("20200", "Haute-Corse"), ("97400", "Réunion")],
)
def test_rule_prefecture_by_address_postcode_picks_the_competent_prefecture(postcode, name):
    prefecture = get_registry().prefecture_for_postcode(postcode)
    assert name in prefecture.name or name in prefecture.department_name


@pytest.mark.django_db
def test_unknown_postcode_has_no_prefecture():
    assert get_registry().prefecture_for_postcode("98000") is None


@pytest.mark.django_db
def test_residence_document_is_found_only_with_the_exact_dates(registry_person):
    permit = registry_person(foreign_number="7500000001")
    registry = LocalRegistry()
    found = registry.find_residence_document(
        foreign_number="7500000001", valid_from=permit.valid_from, valid_until=permit.valid_until
    )
    assert found.number == permit.number
    assert found.person.full_name == "Amina DIALLO"
    assert (
        registry.find_residence_document(
            foreign_number="7500000001",
            valid_from=permit.valid_until,
            valid_until=permit.valid_until,
        )
        is None
    )


@pytest.mark.django_db
def test_a_visa_is_not_found_as_a_residence_document(registry_person):
    visa = registry_person(foreign_number="7500000002", kind=DocumentKind.VLS, number="123456789")
    registry = LocalRegistry()
    assert (
        registry.find_residence_document(
            foreign_number="7500000002", valid_from=visa.valid_from, valid_until=visa.valid_until
        )
        is None
    )
    assert registry.find_visa(
        visa_number="123456789", valid_from=visa.valid_from, valid_until=visa.valid_until
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "motive", "validated", "opens_account"),
    [
        (DocumentKind.PERMIT, Motive.STUDENT, False, True),
        (DocumentKind.PERMIT, Motive.TALENT, False, True),
        (DocumentKind.PERMIT, Motive.TALENT_FAMILY, False, True),
        (DocumentKind.PERMIT, Motive.VISITOR, False, True),
        (DocumentKind.PERMIT, Motive.EMPLOYEE, False, True),
        (DocumentKind.PERMIT, Motive.PRIVATE_FAMILY_LIFE, False, True),
        (DocumentKind.RECEIPT, Motive.STUDENT, False, True),
        (DocumentKind.RECEIPT, Motive.RESIDENT, False, True),
        (DocumentKind.VLS, Motive.EMPLOYEE, False, True),
        (DocumentKind.VLS_TS, Motive.STUDENT, True, True),
        (DocumentKind.VLS_TS, Motive.STUDENT, False, False),
        (DocumentKind.VISA, Motive.VISITOR, False, False),
    ],
)
def test_any_permit_receipt_or_validated_vls_ts_opens_an_account(
    registry_person, kind, motive, validated, opens_account
):
    document = registry_person(
        foreign_number="7500000003", kind=kind, motive=motive, validated=validated
    )
    record = LocalRegistry().current_document(foreign_number="7500000003")
    assert record.number == document.number
    assert record.opens_account is opens_account


@pytest.mark.django_db
@pytest.mark.parametrize("held", [Motive.EMPLOYEE, Motive.STUDENT, Motive.RESIDENT])
def test_what_may_be_asked_for_online_depends_on_the_permit_asked_for(registry_person, held):
    registry_person(foreign_number="7500000005", motive=held)
    record = LocalRegistry().current_document(foreign_number="7500000005")
    for motive in (Motive.STUDENT, Motive.TALENT, Motive.TALENT_FAMILY, Motive.VISITOR):
        assert record.allows_application_for(motive)
    for motive in (Motive.EMPLOYEE, Motive.TEMPORARY_WORKER, Motive.PRIVATE_FAMILY_LIFE):
        assert not record.allows_application_for(motive)


@pytest.mark.django_db
def test_a_short_stay_visa_allows_no_application(registry_person):
    registry_person(kind=DocumentKind.VISA, number="345678902", motive=Motive.STUDENT)
    record = LocalRegistry().visa(visa_number="345678902")
    assert record is not None and not record.allows_application_for(Motive.STUDENT)


@pytest.mark.django_db
def test_current_document_is_the_one_ending_last(registry_person):
    old = registry_person(foreign_number="7500000004", ends_in_days=-10)
    newer = registry_person(foreign_number=None, kind=DocumentKind.RECEIPT, ends_in_days=100)
    newer.person = old.person
    newer.save()
    assert LocalRegistry().current_document(foreign_number="7500000004").number == newer.number


@pytest.mark.django_db
def test_foreign_number_is_allocated_once_and_is_unique(registry_person):
    registry_person(kind=DocumentKind.VLS, number="123456789")
    registry_person(kind=DocumentKind.VLS, number="223456789", last_name="Okafor")
    registry = LocalRegistry()
    first = registry.allocate_foreign_number(visa_number="123456789")
    assert registry.allocate_foreign_number(visa_number="123456789") == first
    second = registry.allocate_foreign_number(visa_number="223456789")
    assert first != second
    assert len(first) == 10 and first.isdigit() and first[0] != "0"
    assert Person.objects.filter(foreign_number__isnull=False).count() == 2
