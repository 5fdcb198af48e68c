"""Collection sites and hours for every demo prefecture (`manage.py load_demo`), so
`make run` offers an appointment as soon as a demo permit is marked made."""

from datetime import time

from sejour.registry.models import Prefecture

from .holidays import time_zone_for
from .models import CapacityRule, CollectionSite, OpeningHours

MORNING = (time(9), time(12))
AFTERNOON = (time(13, 30), time(16))
FULL_WEEK = dict.fromkeys(range(5), (MORNING, AFTERNOON))
SHORT_WEEK = {0: (MORNING, AFTERNOON), 1: (MORNING,), 3: (MORNING, AFTERNOON), 4: (MORNING,)}

ACCESS_NOTES = "Entrée du public par l'accueil des étrangers ; accès de plain-pied."

# (département, name, postcodes served, desks, week); the first of each is the main site.
SITES = (
    ("75", "Préfecture de police — centre de remise des titres", "", 4, FULL_WEEK),
    ("69", "Préfecture du Rhône", "", 3, FULL_WEEK),
    ("69", "Sous-préfecture de Villefranche-sur-Saône", "69400", 1, SHORT_WEEK),
    ("13", "Préfecture des Bouches-du-Rhône", "", 3, FULL_WEEK),
    ("13", "Sous-préfecture d'Aix-en-Provence", "13090 13100", 1, SHORT_WEEK),
    ("59", "Préfecture du Nord", "", 3, FULL_WEEK),
    ("59", "Sous-préfecture de Valenciennes", "59300", 1, SHORT_WEEK),
    ("33", "Préfecture de la Gironde", "", 2, FULL_WEEK),
    ("37", "Préfecture d'Indre-et-Loire", "", 1, FULL_WEEK),
    ("974", "Préfecture de La Réunion", "", 2, FULL_WEEK),
    ("974", "Sous-préfecture de Saint-Pierre", "97410", 1, SHORT_WEEK),
)


def collection_demo_load() -> int:
    """Create the demo sites that do not exist yet (an administrator's edits stay)."""
    created = 0
    for department, name, postcodes, desks, week in SITES:
        prefecture = Prefecture.objects.get(department_code=department)
        is_main = not CollectionSite.objects.filter(prefecture=prefecture).exists()
        site, new = CollectionSite.objects.get_or_create(
            prefecture=prefecture,
            name=name,
            defaults={
                "address": f"{name}\n{prefecture.seat}",
                "access_notes": ACCESS_NOTES,
                "time_zone": time_zone_for(department),
                "desks": desks,
                "slot_minutes": 15,
                "postcodes": postcodes,
                "is_main": is_main,
            },
        )
        if new:
            created += 1
            OpeningHours.objects.bulk_create(
                OpeningHours(site=site, weekday=day, opens=opens, closes=closes)
                for day, periods in week.items()
                for opens, closes in periods
            )
        CapacityRule.objects.get_or_create(prefecture=prefecture)
    return created
