"""Reference data kept in the repository and synced into the database."""

import csv
from pathlib import Path

from .models import Prefecture

PREFECTURES_CSV = Path(__file__).parent / "data" / "prefectures.csv"


def prefectures_sync(using: str = "default") -> int:
    """Create or update one prefecture per département from data/prefectures.csv."""
    with PREFECTURES_CSV.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        Prefecture.objects.using(using).update_or_create(
            department_code=row["department_code"],
            defaults={
                "department_name": row["department_name"],
                "name": row["prefecture_name"],
                "seat": row["seat"],
                "website": row["website"],
            },
        )
    return len(rows)
