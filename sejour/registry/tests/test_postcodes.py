import pytest

from sejour.registry.postcodes import department_code_for_postcode


@pytest.mark.parametrize(
    ("postcode", "department"),
    [
        ("75011", "75"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20190", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97400", "974"),
        ("97600", "976"),
        (" 69003 ", "69"),
    ],
)
def test_postcode_gives_the_departement(postcode, department):
    assert department_code_for_postcode(postcode) == department


@pytest.mark.parametrize(
    "postcode", ["", "7501", "750111", "ABCDE", "00100", "97500", "98000", None]
)
def test_postcode_without_a_departement_gives_none(postcode):
    assert department_code_for_postcode(postcode) is None
