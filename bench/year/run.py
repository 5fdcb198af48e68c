"""A simulated year of applicants, through Séjour's real services, with a frozen clock.

    .venv/bin/python bench/year/run.py              # 300 people, writes bench/results/year.md
    .venv/bin/python bench/year/run.py --short      # 12 people in a shorter year (CI)

People hold residence permits ending all through the year (the short run: its first
two months). Every morning, as cron would: the renewal reminders
(`attention.services.reminders_send`) and the ADP/ADF coverage
(`attestations.services.coverage_ensure_all`), and the collection jobs (offers
passed on, appointment reminders: `collection.services.offers_expire`,
`reminders_send`). Each person acts after their own
habit, drawn from a seeded random generator: most file soon after a reminder, some
only after the second or the last, some late (after the filing window closed), a
few after their permit ended; some turned reminders off and file on their own
day. Filing goes through the wizard's services (`application_start`, each step,
`file_add` with the real content checks and clamd, the e-photo code,
`application_submit`). A prefecture agent takes each application up, sometimes
asks for documents (the person answers with a file), decides 1 to 8 months after
filing, marks the permit made, which books the person's collection appointment
(`collection.services.booking_offer_first`, at the demo collection sites); the
person keeps it, or moves it to a later day (`booking_move`), and a few miss it
once (`booking_no_show` books them again); on the day, the desk marks them arrived
and hands the permit over with electronic stamps (`permit_hand_over`); the national
file then holds the new permit (the bench plays AGDREF, the photo booth and the
tobacconist).

The clock stops at 08:00 each day (time-machine). Every evening each person who
filed before their document ended and is waiting (no refusal, permit not handed
over yet) is checked: their document, or an ADP/ADF not revoked, must cover the
day. The report gives those days without a valid document (must be 0: the run
exits 1 otherwise), the ADPs issued and renewed, late filings with and without
reminders, and the days from "permit ready" to collection.

The database is a scratch SQLite file (YEAR_DATABASE_URL for another), created and
migrated by the run; files go to a temporary folder.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FULL_PEOPLE, SHORT_PEOPLE = 300, 12
YEAR = 2027
SEED = 2027

# Habits (share in %): when a person with reminders on files.
HABITS = [
    ("after_opening", 50),  # within days of the first reminder
    ("after_second", 18),
    ("after_last", 12),
    ("late", 10),  # ignores reminders, files after the window closed
    ("after_end", 5),  # files after the document ended
    ("off", 5),  # turned reminders off (then: their own day, late or not)
]


def setup(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sejour.settings_test")
    os.environ["DATABASE_URL"] = os.environ.get(
        "YEAR_DATABASE_URL", f"sqlite:///{workdir / 'year.sqlite3'}"
    )
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["OUTBOX_DELIVER_ON_COMMIT"] = "false"  # messages stay in the outbox
    os.environ["RATE_LIMIT_UPLOADS_PER_ACCOUNT"] = "100000"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", "--no-input", verbosity=0)
    from sejour.collection.demo import collection_demo_load

    collection_demo_load()  # the collection sites and their hours


def at(day: date, hour: int = 8):
    import time_machine

    return time_machine.travel(datetime(day.year, day.month, day.day, hour), tick=False)


@dataclass
class Person:
    index: int
    habit: str
    ends_on: date
    user: object = None
    document_number: str = ""
    file_on: date | None = None
    application: object = None
    reminded: list = field(default_factory=list)
    filed_on: date | None = None
    late: bool = False
    refused_on: date | None = None
    handed_over_on: date | None = None
    plan: dict = field(default_factory=dict)  # day → what the prefecture does next
    answer_on: date | None = None
    collect_on: date | None = None
    moved: bool = False
    will_miss: bool = False  # misses their first appointment
    uncovered: list = field(default_factory=list)


class Year:
    def __init__(self, people: int, first_end: date, last_end: date, rng: random.Random):
        self.rng = rng
        self.count = people
        self.first_end, self.last_end = first_end, last_end
        self.people: list[Person] = []
        self.stamp = 0

    # --- the world outside Séjour: AGDREF, photo booths, tobacconists -----------------

    def populate(self, today: date) -> None:
        from django.utils import timezone

        from sejour.accounts.models import User
        from sejour.attention.models import NoticePreferences
        from sejour.registry.models import Person as RegistryPerson
        from sejour.registry.models import Prefecture, ResidenceDocument

        span = (self.last_end - self.first_end).days
        habits, weights = zip(*HABITS, strict=True)
        for index in range(self.count):
            ends_on = self.first_end + timedelta(days=self.rng.randrange(span + 1))
            person = Person(index, self.rng.choices(habits, weights)[0], ends_on)
            number = f"75{index:08d}"
            registry_person = RegistryPerson.objects.create(
                foreign_number=number,
                last_name=f"Personne{index}",
                first_names="Amina",
                birth_date=date(1998, 1, 1) + timedelta(days=index),
                birth_place="Dakar",
                nationality="sénégalaise",
                address="12 rue Oberkampf",
                postcode="75011",
                city="Paris",
            )
            person.document_number = f"P{number}"
            ResidenceDocument.objects.create(
                person=registry_person,
                kind="permit",
                number=person.document_number,
                valid_from=ends_on - timedelta(days=365),
                valid_until=ends_on,
                motive="student",
                allows_work=True,
            )
            person.user = User.objects.create_user(
                number,
                "year-2027-password",
                email=f"{number}@example.org",
                email_verified_at=timezone.now(),
                first_names="Amina",
                last_name=f"Personne{index}",
            )
            phone = f"+3361{index:07d}" if index % 2 else ""
            NoticePreferences.objects.create(
                user=person.user, mobile_phone=phone, renewal_reminders=person.habit != "off"
            )
            self.people.append(person)
        self.agent = User.objects.create_user(
            "agent.year",
            "year-2027-password",
            email="agent.year@example.org",
            role=User.Role.AGENT,
            prefecture=Prefecture.objects.get(department_code="75"),
        )

    def ephoto_code(self, person: Person, today: date) -> str:
        from django.utils import timezone

        from sejour.registry.models import EphotoCode

        shot = timezone.now() - timedelta(days=2)
        code = f"YEAR{person.index:06d}PHOTO{today:%y%m%d}"
        EphotoCode.objects.create(code=code, taken_at=shot, available_at=shot)
        return code

    def stamps_for(self, cents: int, today: date) -> list[str]:
        from django.utils import timezone

        from sejour.registry.models import TaxStamp

        self.stamp += 1
        number = f"{self.stamp:016d}"
        TaxStamp.objects.create(
            number=number,
            amount_cents=cents,
            bought_at=timezone.now() - timedelta(days=1),
        )
        return [number]

    def new_permit(self, person: Person, today: date) -> None:
        from sejour.registry.models import Person as RegistryPerson
        from sejour.registry.models import ResidenceDocument

        ResidenceDocument.objects.create(
            person=RegistryPerson.objects.get(foreign_number=person.user.identifier),
            kind="permit",
            number=f"N{person.user.identifier}",
            valid_from=today,
            valid_until=today + timedelta(days=365),
            motive="student",
            allows_work=True,
        )

    # --- the person ---------------------------------------------------------------------

    def window(self, person: Person):
        from sejour.rules.services import filing_window

        return filing_window(
            document_kind="permit",
            valid_from=person.ends_on - timedelta(days=365),
            valid_until=person.ends_on,
            today=person.ends_on,
        )

    def decide_when_to_file(self, person: Person, today: date, reminder: str | None) -> None:
        """A reminder arrives (or not): the person picks a day, after their habit."""
        if person.file_on or person.filed_on:
            return
        habit, window = person.habit, self.window(person)
        if reminder is not None:
            person.reminded.append(reminder)
            wanted = {"after_opening": "opening", "after_second": "second", "after_last": "last"}
            if wanted.get(habit) == reminder:
                person.file_on = today + timedelta(days=self.rng.randint(1, 5))
            return
        if habit == "late" and today == window.late_from:
            person.file_on = today + timedelta(days=self.rng.randint(0, 25))
        elif habit == "after_end" and today == person.ends_on:
            person.file_on = today + timedelta(days=self.rng.randint(1, 20))
        elif habit == "off" and today == window.opens_on:
            # Without reminders, half remember in time, half file after the window closed.
            if self.rng.random() < 0.5:
                person.file_on = today + timedelta(days=self.rng.randint(5, 55))
            else:
                person.file_on = window.late_from + timedelta(days=self.rng.randint(0, 50))

    def file(self, person: Person, today: date) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from sejour.applications import services
        from sejour.documents.services import file_add
        from sejour.rules.services import document_requirements

        user = person.user
        application = services.application_start(applicant=user, motive="student", today=today)
        for step, data in STEPS:
            services.application_step_save(application=application, step=step, data=data, by=user)
        for requirement in document_requirements(
            motive="student", procedure=application.procedure, on=today
        ):
            if requirement.required:
                file_add(
                    application=application,
                    requirement_code=requirement.code,
                    uploaded=SimpleUploadedFile("scan.png", PNG),
                    is_letter=False,
                    by=user,
                )
        services.application_ephoto_set(
            application=application, code=self.ephoto_code(person, today), by=user
        )
        for step in ("documents", "summary"):
            services.application_step_save(application=application, step=step, data={}, by=user)
        application = services.application_submit(application=application, by=user, today=today)
        person.application, person.filed_on, person.late = application, today, application.late
        # The prefecture: taken up within three weeks, decided 1 to 8 months after filing.
        decide_on = today + timedelta(days=self.rng.randint(30, 240))
        person.plan = {today + timedelta(days=self.rng.randint(3, 20)): "start"}
        if self.rng.random() < 0.3:
            ask_on = today + timedelta(
                days=self.rng.randint(25, max(26, (decide_on - today).days // 2))
            )
            person.plan[ask_on] = "ask"
        person.plan[decide_on] = "decide"

    def answer(self, person: Person, today: date) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from sejour.documents.services import file_add
        from sejour.instruction.services import complement_answer, open_complement

        application = person.application
        request = open_complement(application)
        for item in request.items:
            file_add(
                application=application,
                requirement_code=item["code"],
                uploaded=SimpleUploadedFile("again.png", PNG),
                is_letter=False,
                by=person.user,
            )
        complement_answer(application=application, by=person.user)
        person.answer_on = None

    def appointment(self, person: Person) -> None:
        """The appointment booked for the person: kept, or moved to a later day; when
        none could be booked yet, tried again each morning (a slot freed or opened)."""
        from sejour.collection.selectors import active_booking, free_slots, local_time
        from sejour.collection.services import booking_keep, booking_move

        booking = active_booking(person.application)
        if booking is None:
            person.collect_on = None
            return
        if self.rng.random() < 0.3:  # that day does not suit them
            start = booking.starts_at + timedelta(days=self.rng.randint(3, 20))
            later = free_slots([booking.site], start=start, end=start + timedelta(days=5), limit=1)
            if later:
                booking = booking_move(
                    booking=booking,
                    site=later[0].site,
                    starts_at=later[0].starts_at,
                    by=person.user,
                )
                person.moved = True
        if booking.status == booking.Status.OFFERED:
            booking = booking_keep(booking=booking, by=person.user)
        person.collect_on = local_time(booking.site, booking.starts_at).date()

    def collect(self, person: Person, today: date) -> None:
        from sejour.collection.selectors import active_booking
        from sejour.collection.services import booking_arrived, booking_no_show
        from sejour.instruction.services import amount_due, permit_hand_over

        application = person.application
        application.refresh_from_db()
        booking = active_booking(application)
        if booking is not None and person.will_miss:
            person.will_miss = False
            booking_no_show(booking=booking, by=self.agent)  # a new appointment is booked
            self.appointment(person)
            return
        if booking is not None:
            booking_arrived(booking=booking, by=self.agent)
        stamps = self.stamps_for(amount_due(application).total_cents, today)
        permit_hand_over(application=application, stamp_numbers=stamps, by=self.agent)
        person.handed_over_on = today
        self.new_permit(person, today)

    # --- the prefecture -------------------------------------------------------------------

    def prefecture_acts(self, person: Person, today: date) -> None:
        from sejour.applications.models import Status
        from sejour.instruction import services

        action = person.plan.pop(today, None)
        if action is None:
            return
        application = person.application
        application.refresh_from_db()
        if action == "start":
            services.instruction_start(application=application, by=self.agent)
        elif action == "ask":
            if application.status != Status.UNDER_INSTRUCTION:
                return
            services.complement_request(
                application=application,
                items=[{"code": "photo_id", "problem": "not_compliant"}]
                if "photo_id" in REQUIRED
                else [{"code": REQUIRED[0], "problem": "not_compliant"}],
                message="Le document envoyé n'est pas lisible.",
                deadline=today + timedelta(days=30),
                by=self.agent,
            )
            person.answer_on = today + timedelta(days=self.rng.randint(2, 20))
        elif action == "decide":
            if application.status == Status.WAITING_APPLICANT:
                person.plan[today + timedelta(days=7)] = "decide"  # wait for the answer
                return
            if application.status == Status.FILED:
                services.instruction_start(application=application, by=self.agent)
                application.refresh_from_db()
            favourable = self.rng.random() < 0.92
            services.decision_record(
                application=application, favourable=favourable, reasons="Examen.", by=self.agent
            )
            if favourable:
                person.plan[today + timedelta(days=self.rng.randint(10, 40))] = "made"
            else:
                person.refused_on = today
        elif action == "made":
            services.permit_mark_made(application=application, by=self.agent)
            person.will_miss = self.rng.random() < 0.05
            self.appointment(person)

    # --- the day --------------------------------------------------------------------------

    def covered(self, person: Person, day: date) -> bool:
        from sejour.attestations.models import Attestation

        if day <= person.ends_on:
            return True
        return Attestation.objects.filter(
            application=person.application,
            kind__in=(Attestation.Kind.ADP, Attestation.Kind.ADF),
            valid_from__lte=day,
            valid_until__gte=day,
            revoked_at__isnull=True,
        ).exists()

    def day(self, today: date) -> None:
        from sejour.attention.models import ReminderSent
        from sejour.attention.services import reminders_send
        from sejour.attestations.services import coverage_ensure_all
        from sejour.collection.services import offers_expire
        from sejour.collection.services import reminders_send as appointment_reminders_send

        with at(today):
            before = ReminderSent.objects.order_by("-id").values_list("id", flat=True).first()
            reminders_send()
            offers_expire()
            appointment_reminders_send()
            reminders = dict(
                ReminderSent.objects.filter(id__gt=before or 0).values_list("user_id", "kind")
            )
            coverage_ensure_all(today=today)
            for person in self.people:
                self.decide_when_to_file(person, today, reminders.get(person.user.pk))
                if person.file_on == today and not person.filed_on:
                    self.file(person, today)
                if person.application is not None:
                    if person.answer_on == today:
                        self.answer(person, today)
                    self.prefecture_acts(person, today)
                    waiting_for_slot = (
                        person.collect_on is None
                        and person.application.permit_made_at
                        and not person.handed_over_on
                    )
                    if waiting_for_slot:
                        self.appointment(person)
        # The desk, in the afternoon: whoever has an appointment today collects.
        with at(today, 17):
            for person in self.people:
                if person.application is not None and person.collect_on == today:
                    self.collect(person, today)
        # The evening check: who filed in time and waits holds a valid document today.
        with at(today, 20):
            for person in self.people:
                waiting = (
                    person.filed_on is not None
                    and person.filed_on <= person.ends_on
                    and person.refused_on is None
                    and person.handed_over_on is None
                )
                if waiting and not self.covered(person, today):
                    person.uncovered.append(today)


PNG = b""
STEPS = [
    (
        "personal",
        {
            "last_name": "Personne",
            "first_names": "Amina",
            "birth_date": "1998-01-01",
            "birth_place": "Dakar",
            "nationality": "sénégalaise",
            "address": "12 rue Oberkampf",
            "postcode": "75011",
            "city": "Paris",
            "phone": "",
        },
    ),
    (
        "motive",
        {"institution": "Sorbonne Université", "level": "master", "programme": "Chimie"},
    ),
    ("resources", {"monthly_amount": "900", "sources": ["scholarship"], "details": ""}),
]
REQUIRED: list[str] = []


def report(year: Year, first_day: date, last_day: date, seconds: float, short: bool) -> str:

    from sejour.attention.models import ReminderSent
    from sejour.attestations.models import Attestation

    people = year.people
    filed = [p for p in people if p.filed_on]
    in_time = [p for p in filed if p.filed_on <= p.ends_on]
    uncovered = sum(len(p.uncovered) for p in people)
    adps = Attestation.objects.filter(kind=Attestation.Kind.ADP)
    adp_apps = Counter(adps.values_list("application_id", flat=True))
    renewed = sum(count - 1 for count in adp_apps.values())
    late = [p for p in filed if p.late]
    late_reminded = [p for p in late if p.reminded]
    reminded = [p for p in people if p.reminded]
    not_reminded = [p for p in people if not p.reminded]
    ready_to_collect = [
        (p.handed_over_on - p.application.permit_made_at.date()).days
        for p in filed
        if p.handed_over_on and p.application.refresh_from_db() is None
    ]
    habits = Counter(p.habit for p in people)
    from sejour.collection.models import Booking

    booked = Booking.objects.exclude(status=Booking.Status.EXPIRED)
    bookings_per_permit = Counter(
        Booking.objects.filter(status=Booking.Status.ARRIVED).values_list(
            "application_id", flat=True
        )
    )
    # The permits handed over during the run (numbers "N…", see new_permit) reach their
    # own filing window before the run ends: their reminders are counted apart.
    reminders = ReminderSent.objects.all()
    kinds = Counter(
        reminders.exclude(document_number__startswith="N").values_list("kind", flat=True)
    )
    kinds_new = Counter(
        reminders.filter(document_number__startswith="N").values_list("kind", flat=True)
    )
    most_per_document = max(
        Counter(reminders.values_list("user_id", "document_number", "kind")).values(), default=0
    )
    reminder_sms = reminders.filter(by_sms=True).count()

    def share(part, whole):
        return (
            f"{len(part)} of {len(whole)} ({100 * len(part) / len(whole):.0f} %)" if whole else "0"
        )

    lines = [
        f"# A simulated year{' (short run)' if short else ''}",
        "",
        f"`bench/year/run.py{' --short' if short else ''}`, seed {SEED}: "
        f"{len(people)} people whose "
        f"permit ends between {year.first_end} and {year.last_end}, simulated day by day from "
        f"{first_day} to {last_day} ({(last_day - first_day).days + 1} days) through Séjour's "
        f"services, in {seconds:.0f} s.",
        "",
        "| Measure | Result |",
        "|---|---|",
        f"| **Days without a valid document, for people who filed before their document ended** "
        f"| **{uncovered}** (must be 0) |",
        f"| People who filed | {len(filed)} ({len(in_time)} before their document ended) |",
        f"| ADPs issued | {adps.count()} for {len(adp_apps)} applications, of which {renewed} "
        f"renewals of an ADP about to end |",
        f"| ADFs issued | {Attestation.objects.filter(kind=Attestation.Kind.ADF).count()} |",
        f"| Late filings (after the window closed) | {len(late)} of {len(filed)} |",
        f"| Late filings among people who received reminders | {share(late_reminded, reminded)} |",
        f"| Late filings among people who received none (turned off) | "
        f"{share([p for p in late if not p.reminded], not_reminded)} |",
        f"| Reminders sent for the document ending in the year | {kinds['opening']} at the "
        f"opening, {kinds['second']} second, {kinds['last']} last |",
        f"| Reminders sent for the permits handed over during the run | "
        f"{kinds_new['opening']} at the opening, {kinds_new['second']} second, "
        f"{kinds_new['last']} last |",
        f"| Reminders also sent by SMS | {reminder_sms} |",
        f"| Most reminders of one kind for one document | {most_per_document} (must be 1) |",
        f"| Decisions | {sum(1 for p in filed if p.refused_on)} refusals, "
        f"{sum(1 for p in filed if p.handed_over_on)} permits handed over |",
        f"| Collection appointments | {booked.filter(status=Booking.Status.ARRIVED).count()} "
        f"kept, {sum(1 for p in filed if p.moved)} moved by the person, "
        f"{booked.filter(status=Booking.Status.NO_SHOW).count()} missed and booked again; "
        f"{booked.filter(reminded_at__isnull=False).count()} reminded two days before |",
        f"| Most appointments attended for one permit | "
        f"{max(bookings_per_permit.values(), default=0)} (must be 1) |",
        f'| Days from "permit ready" to collection | median '
        f"{statistics.median(ready_to_collect) if ready_to_collect else '—'} "
        f"(min {min(ready_to_collect, default='—')}, max {max(ready_to_collect, default='—')}, "
        f"{len(ready_to_collect)} permits) |",
        "",
        "Habits drawn: " + ", ".join(f"{name} {habits[name]}" for name, _w in HABITS) + ".",
        "",
        "How people behave is the simulation's assumption, not a measurement: most file "
        "within days of the reminder their habit answers to; who turned reminders off "
        "files in time one time in two. The late filings above therefore show what the "
        "reminders' schedule allows (every person who waits for a reminder gets one in "
        "time), not how much real people heed them. What the run measures is Séjour's "
        "side: every reminder on its day and never twice, none after filing, and no day "
        "without a valid document while an application filed in time is examined "
        "(ADPs issued from filing and renewed before they end, then the ADF until the "
        "handover).",
        "",
        "Collection goes through the appointments of issue 12: booked when the permit is "
        "made, at the demo collection sites (Paris: 4 desks, 15-minute slots, weekdays); "
        "the first offer is the earliest free slot at least two hours ahead, so with "
        "these few people it is often the same day; the simulated people move 3 in 10 "
        "of them to a later day and miss 1 in 20 once, which sets the days above. A same-"
        "day offer leaves little time to buy the stamps: the lead time is a product "
        "choice to review with prefectures.",
    ]
    if uncovered:
        lines += ["", "Uncovered days:"] + [
            f"- person {p.index}: {', '.join(str(d) for d in p.uncovered[:10])}"
            for p in people
            if p.uncovered
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    global PNG
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="the CI form: fewer people, shorter")
    parser.add_argument("--people", type=int)
    parser.add_argument("--output", help="write the report here (default: print it)")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sejour-year-") as workdir:
        setup(Path(workdir))
        import io

        from PIL import Image

        from sejour.rules.services import document_requirements

        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (0, 0, 145)).save(buffer, format="PNG")
        PNG = buffer.getvalue()
        rng = random.Random(SEED)
        if args.short:
            first_end, last_end = date(YEAR, 1, 1), date(YEAR, 2, 28)
        else:
            first_end, last_end = date(YEAR, 1, 1), date(YEAR, 12, 31)
        # From the first window's opening to the last possible collection.
        first_day = first_end - timedelta(days=125)
        last_day = last_end + timedelta(days=20 + 20 + 247 + 7 + 40 + 60)
        people = args.people or (SHORT_PEOPLE if args.short else FULL_PEOPLE)
        year = Year(people, first_end, last_end, rng)
        with at(first_day - timedelta(days=1)):
            REQUIRED.extend(
                r.code
                for r in document_requirements(motive="student", procedure="renewal", on=first_day)
                if r.required
            )
            year.populate(first_day)
        day = first_day
        while day <= last_day:
            year.day(day)
            day += timedelta(days=1)
        text = report(year, first_day, last_day, time.monotonic() - started, args.short)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    print(text)
    uncovered = sum(len(p.uncovered) for p in year.people)
    if uncovered:
        print(f"FAILED: {uncovered} day(s) without a valid document.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
