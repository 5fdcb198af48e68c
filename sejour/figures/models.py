"""Summary tables: figures over many rows, kept up to date by the services that
change those rows (and recounted by the daily job), so that a page reads a few
rows instead of counting the applications or the audit events while a person waits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The whole country, in the `area` columns (otherwise a département code).
NATIONAL = "FR"
# "every motive", in the published `motive` column (the histogram keeps each motive).
ALL_MOTIVES = ""


class DecisionCount(models.Model):
    """A histogram: how many decisions took exactly `days` days from filing, per area,
    procedure, motive and month of the decision. Medians are read from it exactly.

    Each decision adds one to two rows: its département's and the whole country's,
    for its motive; "every motive" is read as the sum of the motives."""

    area = models.CharField(_("area"), max_length=3)
    procedure = models.CharField(_("procedure"), max_length=20)
    motive = models.CharField(_("motive"), max_length=30, blank=True)
    month = models.DateField(_("month of the decision"))
    days = models.PositiveIntegerField(_("days from filing to decision"))
    decisions = models.PositiveIntegerField(_("decisions"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "procedure", "motive", "month", "days"],
                name="one_decision_count_per_key",
            )
        ]
        verbose_name = _("decision count")
        verbose_name_plural = _("decision counts")

    def __str__(self) -> str:
        return f"{self.area} {self.procedure} {self.motive} {self.month:%Y-%m} {self.days} d"


class ProcessingTime(models.Model):
    """What the public page shows: the median of one group over the window."""

    area = models.CharField(_("area"), max_length=3)
    procedure = models.CharField(_("procedure"), max_length=20)
    motive = models.CharField(_("motive"), max_length=30, blank=True)
    window_from = models.DateField(_("decisions since"))
    decisions = models.PositiveIntegerField(_("decisions"))
    # Whole days, or a half day when the two middle values differ by one.
    median_days = models.DecimalField(_("median (days)"), max_digits=7, decimal_places=1)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "procedure", "motive"], name="one_processing_time_per_group"
            )
        ]
        verbose_name = _("processing time")
        verbose_name_plural = _("processing times")

    def __str__(self) -> str:
        return f"{self.area} {self.procedure} {self.motive}: {self.median_days} d"


class Tally(models.Model):
    """How many filed applications of a prefecture, in a status, fall on a day under
    a measure. Each application counts once per measure that applies to it:

    - `filed`: every filed application, on its filing day (counts per status, ages);
    - `legal`: while the legal clock runs (filed, under instruction), on its legal deadline;
    - `reply`: while the applicant is asked for documents, on the answer's deadline;
    - `cover`: while a first application or a renewal waits for a decision, on the last
      day its current document or ADP covers.
    Counting the rows whose day is before today gives what is late, at any moment."""

    class Measure(models.TextChoices):
        FILED = "filed", _("filed on")
        LEGAL = "legal", _("legal deadline")
        REPLY = "reply", _("applicant's deadline")
        COVER = "cover", _("covered until")

    prefecture = models.ForeignKey(
        "registry.Prefecture", on_delete=models.PROTECT, related_name="+"
    )
    measure = models.CharField(_("measure"), max_length=6, choices=Measure.choices)
    status = models.CharField(_("status"), max_length=20)
    day = models.DateField(_("day"))
    count = models.IntegerField(_("applications"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "measure", "status", "day"], name="one_tally_per_key"
            )
        ]
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")

    def __str__(self) -> str:
        return f"{self.prefecture_id} {self.measure} {self.status} {self.day}: {self.count}"


class OutputCount(models.Model):
    """Decisions recorded per prefecture, agent and week (Monday)."""

    prefecture = models.ForeignKey(
        "registry.Prefecture", on_delete=models.PROTECT, related_name="+"
    )
    week = models.DateField(_("week of"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decisions = models.PositiveIntegerField(_("decisions"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "week", "agent"], name="one_output_count_per_key"
            )
        ]
        verbose_name = _("output count")
        verbose_name_plural = _("output counts")

    def __str__(self) -> str:
        return f"{self.prefecture_id} {self.week} {self.agent_id}: {self.decisions}"


class Recount(models.Model):
    """One run of the daily recount (the page says how fresh its figures are)."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    seconds = models.FloatField(_("duration (seconds)"))

    class Meta:
        ordering = ["-finished_at"]
        verbose_name = _("recount")
        verbose_name_plural = _("recounts")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M} ({self.seconds:.1f} s)"


class AnswerCount(models.Model):
    """A histogram: how many answers of a prefecture to an applicant's message came
    after exactly `hours` hours of waiting, per area and month of the answer. Each
    answer adds one to its département's row and to the whole country's."""

    area = models.CharField(_("area"), max_length=3)
    month = models.DateField(_("month of the answer"))
    hours = models.PositiveIntegerField(_("hours waited"))
    answers = models.PositiveIntegerField(_("answers"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month", "hours"], name="one_answer_count_per_key"
            )
        ]
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")

    def __str__(self) -> str:
        return f"{self.area} {self.month:%Y-%m} {self.hours} h"


class AnswerTime(models.Model):
    """What the public page shows: the median wait for an answer in one area."""

    area = models.CharField(_("area"), max_length=3, unique=True)
    window_from = models.DateField(_("answers since"))
    answers = models.PositiveIntegerField(_("answers"))
    median_hours = models.DecimalField(_("median (hours)"), max_digits=8, decimal_places=1)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("answer time")
        verbose_name_plural = _("answer times")

    def __str__(self) -> str:
        return f"{self.area}: {self.median_hours} h"
