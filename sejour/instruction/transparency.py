"""Public figures computed from the recorded events: how long prefectures take."""

from collections import defaultdict
from statistics import median

from sejour.applications.models import Application
from sejour.audit.models import AuditEvent
from sejour.registry.models import Motive

# Fewer decisions than this in a group are not shown: too few to mean anything,
# and close to identifying people.
MINIMUM_DECISIONS = 3


def processing_times() -> list[dict]:
    """Median days from filing to decision, per prefecture and motive."""
    filed = dict(
        AuditEvent.objects.filter(action="application.submitted").values_list(
            "application_id", "created_at"
        )
    )
    decided = AuditEvent.objects.filter(action="application.decide").values_list(
        "application_id", "created_at"
    )
    applications = {
        row["pk"]: row
        for row in Application.objects.filter(pk__in=filed).values(
            "pk", "motive", "prefecture__name"
        )
    }
    groups = defaultdict(list)
    for application_id, decided_at in decided:
        if application_id in filed and application_id in applications:
            row = applications[application_id]
            days = (decided_at - filed[application_id]).total_seconds() / 86400
            groups[(row["prefecture__name"], row["motive"])].append(days)
    return [
        {
            "prefecture": prefecture,
            "motive": Motive(motive).label,
            "decisions": len(durations),
            "median_days": round(median(durations)),
        }
        for (prefecture, motive), durations in sorted(groups.items())
        if len(durations) >= MINIMUM_DECISIONS
    ]
