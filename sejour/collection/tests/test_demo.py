import pytest

from sejour.collection.models import CollectionSite


@pytest.mark.django_db
def test_every_demo_prefecture_has_a_site_with_hours(settings):
    from sejour.core.demo import PEOPLE, STAFF, load_demo

    settings.DEBUG = True
    load_demo()
    load_demo()  # twice: nothing doubles
    departments = {demo.postcode[:2] for demo in PEOPLE} | {s[2] for s in STAFF if s[2]}
    for department in departments:
        sites = CollectionSite.objects.filter(prefecture__department_code=department)
        assert sites.filter(is_main=True).count() == 1, department
        assert all(site.hours.exists() for site in sites), department
    reunion = CollectionSite.objects.filter(prefecture__department_code="974")
    assert {site.time_zone for site in reunion} == {"Indian/Reunion"}
    assert CollectionSite.objects.filter(name__startswith="Sous-préfecture").count() >= 3
