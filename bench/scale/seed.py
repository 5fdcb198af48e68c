"""Load national volumes into a scratch PostgreSQL database, fast (COPY).

    SCALE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sejour_scale \\
        .venv/bin/python bench/scale/seed.py            # ~1 M applications
    ... bench/scale/seed.py --small                     # ~20,000 (CI)
    ... bench/scale/seed.py --applications 200000

The database named by SCALE_DATABASE_URL is DROPPED and created again, migrated,
then filled: one account and one registry person (with their residence
document) per applicant, their applications across the prefectures (skewed
like the real ones, Paris largest), every status of the state machine with the
dates that go with it, about six supporting-file rows and twelve audit events
per application, attestations (filing, ADP/ADF chains as `coverage_ensure`
issues them, decision letters), complement requests (some past their
deadline), agents and a supervisor per prefecture with an authenticator.

Rows are written with COPY on one connection per table, foreign-key triggers
off (the generator keeps every reference valid), secondary indexes built once
at the end. The same seed gives the same data. Every account's password is
PROBE_PASSWORD; every agent's authenticator uses PROBE_TOTP_KEY_HEX, so the probe
(bench/scale/probe.py) can log in.
"""

import argparse
import json
import os
import random
import sys
import time
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PROBE_PASSWORD = "scale-probe-2026"
# The agents' authenticator secret in the scale data (hex of "scale-probe-key-2026"): not
# the demo one, which production refuses to run with (sejour.E006).
PROBE_TOTP_KEY_HEX = "7363616c652d70726f62652d6b65792d32303236"
DEFAULT_APPLICATIONS = 1_000_000
SMALL_APPLICATIONS = 20_000

# Share of applications per département (in %), after the figures of foreign
# residents per département: Paris first, then the inner suburbs, the big cities.
# The other départements share what is left.
PREFECTURE_WEIGHTS = {
    "75": 12.0, "93": 7.0, "92": 5.0, "94": 4.5, "69": 4.2, "13": 3.8, "59": 3.0,
    "31": 2.6, "95": 2.6, "91": 2.4, "78": 2.3, "77": 2.3, "06": 2.3, "33": 2.0,
    "34": 1.9, "67": 1.9, "38": 1.6, "44": 1.4, "57": 1.2, "68": 1.1, "35": 1.1,
    "76": 1.0, "63": 0.9, "45": 0.9, "74": 0.9, "83": 0.9, "976": 0.9, "973": 0.8,
    "42": 0.8, "01": 0.8, "54": 0.8, "30": 0.7, "60": 0.7, "84": 0.6, "21": 0.6,
    "37": 0.6, "25": 0.6, "49": 0.5, "86": 0.5, "87": 0.4, "974": 0.4, "971": 0.3,
    "972": 0.2,
}  # fmt: skip
OTHER_PREFECTURES_SHARE = 13.0

MOTIVES = [("student", 45), ("talent", 20), ("talent_family", 12), ("visitor", 23)]
PROCEDURES = [("renewal", 60), ("first", 28), ("address_change", 8), ("duplicate", 4)]
# Most applications are history (the permit was handed over); the queue's open
# statuses hold about a quarter.
STATUSES = [
    ("handed_over", 56), ("draft", 6), ("filed", 7), ("under_instruction", 10),
    ("waiting_applicant", 4), ("decision_taken", 3), ("permit_available", 4),
    ("closed", 3), ("withdrawn", 5), ("abandoned_draft", 2),
]  # fmt: skip
SECOND_APPLICATION_SHARE = 0.05  # applicants with an older, finished application too

LAST_NAMES = str.split(
    "Diallo Traoré Camara Keita Konaté Coulibaly Sow Bah Diop Ndiaye Fall Sy Ba Kane Cissé "
    "Touré Sylla Barry Dembélé Sissoko Benali Haddad Benaïssa Bouzid Cherif Mansouri Amrani "
    "El Idrissi Benjelloun Tazi Alaoui Ouédraogo Kaboré Zongo Sawadogo Nguyễn Trần Lê Phạm "
    "Hoàng Zhang Wang Li Liu Chen Yang Huang Zhao Wu Zhou Kumar Singh Sharma Patel Gupta "
    "Khan Ahmed Hussain Rahman Ali Silva Santos Pereira Oliveira Costa Ferreira Rodrigues "
    "Gonçalves Almeida Sousa García Rodríguez López Martínez González Sánchez Pérez Gómez "
    "Fernández Díaz Rossi Russo Bianchi Romano Colombo Müller Schmidt Schneider Fischer "
    "Weber Kowalski Nowak Wiśniewski Popescu Ionescu Popa Ivanova Petrova Smirnova Yılmaz "
    "Kaya Demir Şahin Çelik Öztürk Okafor Okonkwo Adeyemi Mensah Owusu Asante Kamau Otieno "
    "Mbeki Dlamini Nkosi Abebe Tesfaye Haile Mohamed Ibrahim Hassan Abdallah Youssef Saleh "
    "Kim Park Choi Jung Tanaka Suzuki Sato Takahashi Cohen Levi Mizrahi Papadopoulos "
    "Georgiou Nielsen Jensen Hansen Johansson Andersson Ó Briain Murphy Kelly Smith Jones "
    "Williams Brown Novak Horvat Kovačević Petrović Jovanović Nikolić Mendoza Vargas Castro "
    "Ramírez Torres Flores Rivera Morales Ortiz Reyes Cruz Gutiérrez Chávez Ramos Herrera"
)
FIRST_NAMES = str.split(
    "Amina Fatou Aïssatou Mariam Awa Khadija Fatima Yasmine Leïla Nadia Salma Imane Meriem "
    "Aminata Oumou Hawa Linh Mai Thảo Wei Jing Xiu Mei Yan Priya Ananya Aisha Sofia Ana "
    "Maria Lucía Camila Valentina Giulia Chiara Anna Eva Zofia Elena Ioana Olga Irina Elif "
    "Zeynep Chiamaka Ngozi Abena Akosua Wanjiru Selam Hana Yuki Sakura Ji-woo Noa Sara "
    "Mamadou Moussa Ibrahima Ousmane Abdoulaye Seydou Bakary Karim Mehdi Youssef Omar Rachid "
    "Hicham Samir Amine Minh Quang Hùng Wei Jun Hao Lei Rahul Arjun Vikram Imran Bilal João "
    "Pedro Lucas Gabriel Diego Mateo Alejandro Javier Marco Luca Matteo Lukas Jonas Jakub "
    "Andrei Mihai Dmitri Sergei Mehmet Emre Can Chinedu Emeka Kwame Kofi Juma Dawit Kenji "
    "Haruto Min-jun David Yosef Nikos Lars Erik Liam Noah Sean Milan Luka Stefan Carlos José"
)
ORIGINS = [
    ("sénégalaise", "Dakar (Sénégal)"), ("malienne", "Bamako (Mali)"),
    ("algérienne", "Alger (Algérie)"), ("marocaine", "Casablanca (Maroc)"),
    ("tunisienne", "Tunis (Tunisie)"), ("ivoirienne", "Abidjan (Côte d'Ivoire)"),
    ("chinoise", "Shanghai (Chine)"), ("indienne", "Bangalore (Inde)"),
    ("vietnamienne", "Hanoï (Viêt Nam)"), ("brésilienne", "São Paulo (Brésil)"),
    ("américaine", "Boston (États-Unis)"), ("libanaise", "Beyrouth (Liban)"),
    ("turque", "Istanbul (Turquie)"), ("camerounaise", "Douala (Cameroun)"),
    ("nigériane", "Lagos (Nigéria)"), ("colombienne", "Bogotá (Colombie)"),
    ("ukrainienne", "Kyiv (Ukraine)"), ("japonaise", "Ōsaka (Japon)"),
    ("coréenne", "Séoul (Corée du Sud)"), ("guinéenne", "Conakry (Guinée)"),
]  # fmt: skip
STREETS = str.split(
    "de la République|Victor Hugo|Jean Jaurès|de la Paix|Pasteur|Gambetta|du Général Leclerc|"
    "des Écoles|de la Gare|Voltaire|Émile Zola|Jules Ferry|Saint-Michel|des Lilas|du Moulin",
    "|",
)
STUDENT = [
    ("Sorbonne Université", "master", "Master de chimie"),
    ("Université de Lyon", "licence", "Licence de droit"),
    ("École polytechnique", "master", "Cycle ingénieur"),
    ("Université de Bordeaux", "doctorate", "Doctorat de biologie"),
    ("Alliance française", "other", "Cours de français"),
]
TALENT = [("researcher", "CNRS"), ("qualified_employee", "Thales"), ("founder", "Ma start-up")]
CONTENT_TYPES = [("application/pdf", "pdf", 70), ("image/jpeg", "jpg", 25), ("image/png", "png", 5)]
PENDING = ("filed", "under_instruction", "waiting_applicant")

TABLES = {
    "accounts_user": (
        "id password last_login is_superuser identifier visa_number email email_verified_at "
        "first_names last_name role must_change_password is_active is_staff date_joined "
        "prefecture_id"
    ),
    "otp_totp_totpdevice": (
        "id name confirmed key step t0 digits tolerance drift last_t user_id "
        "throttling_failure_count throttling_failure_timestamp created_at last_used_at"
    ),
    "registry_person": (
        "id foreign_number last_name first_names birth_date birth_place nationality address "
        "postcode city"
    ),
    "registry_residencedocument": (
        "id kind number valid_from valid_until motive allows_work validated person_id"
    ),
    "applications_application": (
        "id reference procedure motive status last_step answers current_document "
        "current_document_ends_on late ephoto_code created_at updated_at filed_at applicant_id "
        "prefecture_id closed_reason decided_at decision decision_reasons handed_over_at "
        "instruction_started_at permit_made_at search_name reply_due_on awaiting_answer_since"
    ),
    "conversations_message": "id application_id side author_id body created_at",
    "documents_supportingfile": (
        "id requirement_code is_letter file original_name content_type size sha256 uploaded_at "
        "submitted removed_at application_id removed_by_id uploaded_by_id"
    ),
    "audit_auditevent": (
        "id created_at action reason ip_address data actor_id subject_id application_id "
        "from_status to_status visible_to_applicant"
    ),
    "attestations_attestation": (
        "id number kind holder_name holder_birth_date holder_number holder_number_kind "
        "valid_from valid_until issued_at file application_id data revoke_reason revoked_at "
        "superseded_by_id"
    ),
    "instruction_complementrequest": (
        "id items message deadline created_at answered_at application_id created_by_id"
    ),
}


class Refused(SystemExit):
    pass


def checked_url(url: str | None) -> str:
    """The scratch database, never the development or the test one (it is dropped)."""
    if not url:
        raise Refused("Set SCALE_DATABASE_URL to a scratch PostgreSQL database (it is dropped).")
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise Refused("The scale harness needs PostgreSQL (COPY).")
    development = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    if (
        not name
        or name in ("sejour", "postgres", "template0", "template1")
        or name.startswith("test_")
        or name == development
        or "scale" not in name
    ):
        raise Refused(
            f"Refusing to drop the database {name!r}: the scale data goes into a database of "
            "its own whose name contains 'scale' (not the development or a test database)."
        )
    return url


def weighted(rng: random.Random, pairs):
    values = [value for value, _weight in pairs]
    cumulative, total = [], 0
    for _value, weight in pairs:
        total += weight
        cumulative.append(total)
    return lambda: rng.choices(values, cum_weights=cumulative)[0]


def ts(moment: datetime) -> str:
    return moment.isoformat()


def text(value) -> str:
    """A value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if "\\" in value or "\t" in value or "\n" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return value


def constant_columns(table: str, columns: list[str]) -> dict[str, object]:
    """Columns the seeder does not fill (added since it was written) and their value.

    A column with a constant default, a nullable one, or a blank text gets that value
    in every row; anything else stops the seeder before it loads a row, naming it.
    """
    from django.apps import apps
    from django.db import models

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra = {}
    for field in model._meta.concrete_fields:
        if field.column in columns:
            continue
        if field.has_default() and (not callable(field.default) or field.default in (dict, list)):
            extra[field.column] = field.get_default()
        elif field.null:
            extra[field.column] = None
        elif field.blank and isinstance(field, (models.CharField, models.TextField)):
            extra[field.column] = ""
        else:
            raise Refused(
                f"{table}.{field.column} must be filled and bench/scale/seed.py does not know "
                "how: add it to TABLES and to the rows."
            )
    return extra


class Writer:
    """One COPY per table, each on its own connection, fed in chunks."""

    def __init__(self, url: str, stack: ExitStack):
        import psycopg

        self.copies, self.buffers, self.counts, self.suffix = {}, {}, {}, {}
        for table, columns in TABLES.items():
            extra = constant_columns(table, columns.split())
            self.suffix[table] = "".join("\t" + text(value) for value in extra.values())
            columns = " ".join([columns, *extra])
            connection = stack.enter_context(psycopg.connect(url))
            cursor = connection.cursor()
            # The generator keeps references valid: skip the per-row foreign-key triggers.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET synchronous_commit = off")
            columns = ", ".join(columns.split())
            self.copies[table] = stack.enter_context(
                cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
            )
            self.buffers[table] = []
            self.counts[table] = 0

    def row(self, table: str, *values) -> None:
        buffer = self.buffers[table]
        buffer.append("\t".join(map(text, values)) + self.suffix[table])
        if len(buffer) >= 5000:
            self.flush(table)

    def flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if buffer:
            self.copies[table].write("\n".join(buffer) + "\n")
            self.counts[table] += len(buffer)
            buffer.clear()

    def close(self) -> None:
        for table in self.copies:
            self.flush(table)


class Seeder:
    def __init__(self, *, applications: int, seed: int, now: datetime, prefectures, rule):
        from django.contrib.auth.hashers import make_password

        from sejour.accounts.selectors import masked
        from sejour.applications.models import searchable
        from sejour.core.codes import READABLE
        from sejour.rules.services import document_requirements

        self.rng = rng = random.Random(seed)
        self.now = now
        self.today = now.date()
        self.rule = rule
        self.searchable = searchable
        self.masked = masked
        self.readable = READABLE
        self.totp_key = PROBE_TOTP_KEY_HEX
        self.password = make_password(PROBE_PASSWORD)
        self.applicants = max(1, round(applications / (1 + SECOND_APPLICATION_SHARE)))
        self.target = applications
        self.requirements = {}
        for motive, _w in MOTIVES:
            for procedure, _w in PROCEDURES:
                self.requirements[motive, procedure] = [
                    (r.code, r.required)
                    for r in document_requirements(
                        motive=motive, procedure=procedure, on=self.today
                    )
                ]
        other = [p for p in prefectures if p.department_code not in PREFECTURE_WEIGHTS]
        pairs = [(p, PREFECTURE_WEIGHTS[p.department_code]) for p in prefectures if p not in other]
        # The smaller départements differ too: a fixed spread around their mean share.
        spread = [
            0.4 + 1.2 * ((index * 37) % len(other)) / len(other) for index in range(len(other))
        ]
        pairs += [
            (p, OTHER_PREFECTURES_SHARE * s / sum(spread))
            for p, s in zip(other, spread, strict=True)
        ]
        self.prefecture = weighted(rng, pairs)
        self.motive = weighted(rng, MOTIVES)
        self.procedure = weighted(rng, PROCEDURES)
        self.status = weighted(rng, STATUSES)
        self.content_type = weighted(rng, [((t, e), w) for t, e, w in CONTENT_TYPES])
        # Agents: one per ~4,000 applications of the prefecture (at least 2), one supervisor.
        self.agents = {}
        self.staff = []
        next_id = 1
        for prefecture, weight in pairs:
            expected = applications * weight / 100
            # Paris has at least 12: the probe logs each of its clients in as another agent.
            count = max(12 if prefecture.department_code == "75" else 2, round(expected / 4000))
            ids = []
            for index in range(count + 1):
                role = "supervisor" if index == count else "agent"
                name = "supervisor" if role == "supervisor" else f"agent{index + 1}"
                identifier = f"{name}.{prefecture.department_code.lower()}"
                self.staff.append((next_id, identifier, role, prefecture.pk))
                if role == "agent":
                    ids.append(next_id)
                next_id += 1
            self.agents[prefecture.pk] = ids
        self.first_applicant_id = next_id
        self.ids = dict.fromkeys(TABLES, 0)
        self.references = set()

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def code(self, length: int) -> str:
        return "".join(self.rng.choices(self.readable, k=length))

    def run(self, writer: Writer, progress) -> None:
        self.ids["accounts_user"] = self.first_applicant_id - 1
        for user_id, identifier, role, prefecture_id in self.staff:
            writer.row(
                "accounts_user",
                user_id,
                self.password,
                None,
                False,
                identifier,
                None,
                f"{identifier}@prefecture.scale.example",
                self.now,
                identifier.split(".")[0].title(),
                "Agent",
                role,
                False,
                True,
                False,
                self.now - timedelta(days=900),
                prefecture_id,
            )
            writer.row(
                "otp_totp_totpdevice",
                self.next_id("otp_totp_totpdevice"),
                "authenticator",
                True,
                self.totp_key,
                30,
                0,
                6,
                1,
                0,
                -1,
                user_id,
                0,
                None,
                self.now,
                None,
            )
        made = 0
        for index in range(self.applicants):
            made += self.applicant(writer, index)
            if index % 20000 == 0:
                progress(index, made)
            if made >= self.target:
                break

    def applicant(self, writer: Writer, index: int) -> int:
        rng = self.rng
        user_id = self.first_applicant_id + index
        prefecture = self.prefecture()
        code = prefecture.department_code
        digits = (code if code.isdigit() else "20")[:2]
        status = self.status()
        procedure = self.procedure()
        if status == "abandoned_draft":
            status = "withdrawn_draft"
        provisional = procedure == "first" and status in ("filed", "draft") and rng.random() < 0.3
        foreign_number = None if provisional else f"{digits}{user_id:08d}"
        visa_number = f"{user_id:09d}" if provisional else None
        last_name = rng.choice(LAST_NAMES)
        if rng.random() < 0.3:
            last_name = f"{last_name} {rng.choice(LAST_NAMES)}"
        first_names = rng.choice(FIRST_NAMES)
        if rng.random() < 0.25:
            first_names = f"{first_names} {rng.choice(FIRST_NAMES)}"
        nationality, birth_place = rng.choice(ORIGINS)
        birth_date = date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))
        postcode = {"2A": "20000", "2B": "20200"}.get(code, (code + "000")[:5])
        if len(code) == 2 and code.isdigit():
            postcode = f"{code}{rng.randrange(0, 20) * 10:03d}"
        person = {
            "last_name": last_name,
            "first_names": first_names,
            "birth_date": birth_date.isoformat(),
            "birth_place": birth_place,
            "nationality": nationality,
            "address": f"{rng.randrange(1, 200)} rue {rng.choice(STREETS)}",
            "postcode": postcode,
            "city": prefecture.seat,
            "phone": f"06 {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} "
            f"{rng.randrange(10, 99)}",
        }
        person_id = self.next_id("registry_person")
        # What an attestation certifies: the registry's person (date of birth, masked number).
        self.identity = (
            birth_date,
            self.masked(foreign_number or visa_number),
            "foreign_number" if foreign_number else "visa",
        )
        writer.row(
            "registry_person",
            person_id,
            foreign_number,
            last_name,
            first_names,
            birth_date,
            birth_place,
            nationality,
            person["address"],
            postcode,
            person["city"],
        )
        joined = self.now - timedelta(days=rng.randrange(30, 1500))
        user = (user_id, prefecture.pk, person, foreign_number, visa_number)
        writer.row(
            "accounts_user",
            user_id,
            self.password,
            self.now - timedelta(hours=rng.randrange(1, 2000)),
            False,
            foreign_number,
            visa_number,
            f"u{user_id}@scale.sejour.example",
            joined,
            first_names,
            last_name,
            "applicant",
            False,
            True,
            False,
            joined,
            None,
        )
        for _login in range(rng.randrange(0, 3)):
            self.audit(
                writer,
                joined + timedelta(days=rng.randrange(1, 30)),
                "account.logged_in",
                actor=user_id,
                subject=user_id,
                ip=f"10.{rng.randrange(256)}.{rng.randrange(256)}.1",
            )
        made = 1
        if rng.random() < SECOND_APPLICATION_SHARE and index % 19 != 0:
            # An older application, finished long ago.
            self.application(writer, user, "handed_over", "renewal", years_ago=2)
            made += 1
        document = self.application(writer, user, status, procedure)
        # The registry's current document: the new permit once handed over.
        kind, number, valid_from, valid_until, motive, allows_work = document
        writer.row(
            "registry_residencedocument",
            self.next_id("registry_residencedocument"),
            kind,
            number,
            valid_from,
            valid_until,
            motive,
            allows_work,
            kind == "vls_ts",
            person_id,
        )
        return made

    def audit(
        self,
        writer,
        when,
        action,
        *,
        actor=None,
        subject=None,
        application=None,
        before="",
        after="",
        data=None,
        reason="",
        ip=None,
        visible=True,
    ):
        writer.row(
            "audit_auditevent",
            self.next_id("audit_auditevent"),
            when,
            action,
            reason,
            ip,
            data or {},
            actor,
            subject,
            application,
            before,
            after,
            visible,
        )

    def application(self, writer, user, status, procedure, years_ago=0):
        rng, now = self.rng, self.now
        user_id, prefecture_id, person, foreign_number, visa_number = user
        agents = self.agents[prefecture_id]
        application_id = self.next_id("applications_application")
        reference = "SJ-" + self.code(8)
        while reference in self.references:
            reference = "SJ-" + self.code(8)
        self.references.add(reference)
        motive = self.motive()
        drafted = status in ("draft", "withdrawn_draft")
        # How long each stage took, then anchored so that the last step is in the past.
        to_file = timedelta(days=rng.randrange(0, 10), minutes=rng.randrange(5, 600))
        to_start = timedelta(days=rng.randrange(1, 25), hours=rng.randrange(8, 18))
        complement = status == "waiting_applicant" or (
            status not in ("filed", "draft", "withdrawn_draft") and rng.random() < 0.15
        )
        if status == "closed":
            complement = True
        to_request = timedelta(days=rng.randrange(1, 20), hours=rng.randrange(8))
        to_answer = timedelta(days=rng.randrange(1, 28), hours=rng.randrange(24))
        to_decide = timedelta(days=rng.randrange(5, 90), hours=rng.randrange(8))
        to_make = timedelta(days=rng.randrange(7, 30))
        to_hand = timedelta(days=rng.randrange(3, 45), hours=rng.randrange(8))
        instruction = [to_file, to_start] + ([to_request, to_answer] if complement else [])
        stages = {
            "draft": [],
            "withdrawn_draft": [],
            "filed": [to_file],
            "withdrawn": [to_file],
            "under_instruction": instruction,
            "waiting_applicant": [to_file, to_start, to_request],
            "closed": [to_file, to_start, to_request, timedelta(days=rng.randrange(31, 60))],
            "decision_taken": [*instruction, to_decide],
            "permit_available": [*instruction, to_decide, to_make],
            "handed_over": [*instruction, to_decide, to_make, to_hand],
        }[status]
        recent = {
            "handed_over": 3 * 365,
            "closed": 700,
            "withdrawn": 700,
            "withdrawn_draft": 400,
            "waiting_applicant": 50,
        }.get(status, 60)
        last = now - timedelta(
            days=years_ago * 365 + rng.randrange(0, recent), hours=rng.randrange(1, 12)
        )
        created = last - sum(stages, timedelta())
        moments = [created]
        for stage in stages:
            moments.append(moments[-1] + stage)
        filed = None if drafted else moments[1]
        # The document the application starts from, and whether it was filed late.
        day = (filed or created).date()
        late = False
        if procedure == "first":
            # A first application follows a visa "titre à solliciter"; after a VLS-TS the
            # card is a renewal (decision 0011).
            kind = "vls"
            number = visa_number or f"V{user_id:09d}"
            valid_from = day - timedelta(days=rng.randrange(5, 60))
            valid_until = valid_from + timedelta(days=365)
            allows_work = motive != "visitor"
        elif procedure == "renewal":
            kind, number = "permit", f"T{user_id:09d}" if not years_ago else f"O{user_id:09d}"
            valid_until = day + timedelta(days=rng.randrange(1, 121))
            valid_from = valid_until - timedelta(days=365 * rng.choice((1, 2, 4)))
            late = valid_until - day < timedelta(days=60)
            allows_work = motive != "visitor"
        else:
            kind, number = "permit", f"T{user_id:09d}"
            valid_until = day + timedelta(days=rng.randrange(100, 900))
            valid_from = valid_until - timedelta(days=365 * 4)
            allows_work = motive != "visitor"
        current = {
            "kind": kind,
            "number": number,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "allows_work": allows_work,
            "motive": motive,
            "validated": kind == "vls_ts",
        }
        answers = {"personal": person}
        steps = ["personal"]
        if procedure == "address_change":
            answers["card"] = {"new_card": rng.choice(("yes", "no"))}
            steps.append("card")
        elif procedure == "duplicate":
            answers["declaration"] = {
                "what": rng.choice(("loss", "theft", "damage")),
                "when": (day - timedelta(days=rng.randrange(1, 40))).isoformat(),
                "where": person["city"],
                "circumstances": "",
            }
            steps.insert(0, "declaration")
        else:
            if motive == "student":
                institution, level, programme = rng.choice(STUDENT)
                answers["motive"] = {
                    "institution": institution,
                    "level": level,
                    "programme": programme,
                }
            elif motive == "talent":
                category, employer = rng.choice(TALENT)
                answers["motive"] = {
                    "category": category,
                    "employer": employer,
                    "annual_salary": str(rng.randrange(30, 120) * 1000),
                }
            elif motive == "talent_family":
                answers["motive"] = {
                    "holder_last_name": rng.choice(LAST_NAMES),
                    "holder_first_names": rng.choice(FIRST_NAMES),
                    "holder_number": f"75{rng.randrange(10**8):08d}",
                    "link": rng.choice(("spouse", "child")),
                }
            else:
                answers["motive"] = {
                    "no_work_commitment": "on",
                    "plans": "Vivre près de ma famille",
                }
            steps.append("motive")
            if motive in ("student", "visitor"):
                answers["resources"] = {
                    "monthly_amount": str(rng.randrange(6, 30) * 100),
                    "sources": ["family"],
                    "details": "",
                }
                steps.append("resources")
        saved = len(steps)
        if drafted:
            saved = rng.randrange(0, len(steps) + 1)
            answers = {step: answers[step] for step in steps[:saved]} or {}
            last_step = steps[saved - 1] if saved else ""
            if "personal" not in answers:
                answers["personal"] = person  # prefilled from the national file at creation
        else:
            last_step = "confirmation"
        started = moments[2] if len(moments) > 2 else None
        request_at = moments[3] if complement and len(moments) > 3 else None
        answer_at = (
            moments[4]
            if complement
            and status != "waiting_applicant"
            and status != "closed"
            and len(moments) > 4
            else None
        )
        decided = made = handed = None
        decision = reasons = closed_reason = ""
        if status in ("decision_taken", "permit_available", "handed_over"):
            offset = 5 if complement else 3
            decided = moments[offset]
            if status in ("permit_available", "handed_over"):
                made = moments[offset + 1]
            if status == "handed_over":
                handed = moments[offset + 2]
            favourable = status != "decision_taken" or rng.random() < 0.5
            decision = "favourable" if favourable else "unfavourable"
            reasons = "Conditions remplies." if favourable else "Ressources insuffisantes."
        closed = moments[-1] if status == "closed" else None
        if closed:
            closed_reason = "Pas de réponse à la demande de pièces."
        withdrawn = (
            moments[-1] + timedelta(days=rng.randrange(1, 30)) if status == "withdrawn" else None
        )
        if status == "withdrawn_draft":
            withdrawn = created + timedelta(days=rng.randrange(1, 30))
        final_status = "withdrawn" if status == "withdrawn_draft" else status
        # Kept on the application while the applicant is asked (the open request's deadline).
        reply_due_on = (
            (request_at + timedelta(days=self.rule.complement_days)).date()
            if status == "waiting_applicant"
            else None
        )
        # One pending application in twenty has a question of its applicant not yet
        # answered: the queue's "waiting for our answer" view reads these.
        asked = (
            moments[-1] + (self.now - moments[-1]) * rng.random()
            if final_status in PENDING and rng.random() < 0.05
            else None
        )
        updated = max(m for m in (moments[-1], withdrawn, asked) if m)
        holder = f"{person['first_names']} {person['last_name'].upper()}"
        # A draft has its prefecture once the "personal" step is saved.
        draft_prefecture = prefecture_id if (not drafted or "personal" in steps[:saved]) else None
        writer.row(
            "applications_application",
            application_id,
            reference,
            procedure,
            motive,
            final_status,
            last_step,
            answers,
            current,
            valid_until,
            late,
            "" if drafted else self.code(10),
            created,
            updated,
            filed,
            user_id,
            draft_prefecture,
            closed_reason,
            decided,
            decision,
            reasons,
            handed,
            started,
            made,
            self.searchable(holder),
            reply_due_on,
            asked,
        )
        if asked:
            message_id = self.next_id("conversations_message")
            writer.row(
                "conversations_message",
                message_id,
                application_id,
                "applicant",
                user_id,
                "Bonjour, où en est ma demande ?",
                asked,
            )
            self.audit(
                writer,
                asked,
                "message.sent",
                actor=user_id,
                subject=user_id,
                application=application_id,
                data={"message": message_id, "side": "applicant", "attachments": 0},
            )

        # Audit trail, as the services write it.
        audit = self.audit
        audit(
            writer,
            created,
            "application.created",
            actor=user_id,
            subject=user_id,
            application=application_id,
            after="draft",
            data={"motive": motive, "procedure": procedure},
        )
        for position, step in enumerate(steps[:saved]):
            audit(
                writer,
                created + timedelta(minutes=3 * position + 1),
                "application.step_saved",
                actor=user_id,
                subject=user_id,
                application=application_id,
                data={"step": step},
            )
        # Supporting files: each requirement once (optional ones sometimes), a few replaced.
        uploader_end = filed or created + timedelta(hours=1)
        for code, required in self.requirements[motive, procedure]:
            if drafted and rng.random() < 0.5:
                continue
            if not required and rng.random() < 0.6:
                continue
            versions = 2 if rng.random() < 0.12 else 1
            for version in range(versions):
                content_type, extension = self.content_type()
                uploaded = created + (uploader_end - created) * rng.random()
                removed = uploaded + timedelta(minutes=5) if version < versions - 1 else None
                writer.row(
                    "documents_supportingfile",
                    self.next_id("documents_supportingfile"),
                    code,
                    False,
                    f"applications/{reference}/{rng.getrandbits(128):032x}.{extension}",
                    f"{code}.{extension}",
                    content_type,
                    rng.randrange(60_000, 2_500_000),
                    f"{rng.getrandbits(256):064x}",
                    uploaded,
                    not drafted,
                    removed,
                    application_id,
                    user_id if removed else None,
                    user_id,
                )
        if drafted:
            if status == "withdrawn_draft":
                audit(
                    writer,
                    withdrawn,
                    "application.abandon_draft",
                    actor=user_id,
                    subject=user_id,
                    application=application_id,
                    before="draft",
                    after="withdrawn",
                )
            return self.registry_document(current, status, None)
        audit(
            writer,
            filed - timedelta(minutes=2),
            "application.ephoto_set",
            actor=user_id,
            subject=user_id,
            application=application_id,
        )
        audit(
            writer,
            filed,
            "application.submitted",
            actor=user_id,
            subject=user_id,
            application=application_id,
            before="draft",
            after="filed",
            data={"late": late, "prefecture": str(prefecture_id)},
        )
        self.attestation(
            writer, application_id, user_id, "filing", holder, filed + timedelta(minutes=1)
        )
        agent = rng.choice(agents)
        if started:
            audit(
                writer,
                started,
                "application.start_instruction",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="filed",
                after="under_instruction",
            )
        if request_at:
            requirement = self.requirements[motive, procedure][0][0]
            deadline = (request_at + timedelta(days=self.rule.complement_days)).date()
            writer.row(
                "instruction_complementrequest",
                self.next_id("instruction_complementrequest"),
                [{"code": requirement, "problem": "not_compliant"}],
                "Le document est illisible : envoyez une nouvelle copie.",
                deadline,
                request_at,
                answer_at,
                application_id,
                agent,
            )
            audit(
                writer,
                request_at,
                "application.request_complement",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="under_instruction",
                after="waiting_applicant",
            )
            if answer_at:
                audit(
                    writer,
                    answer_at,
                    "application.answer_complement",
                    actor=user_id,
                    subject=user_id,
                    application=application_id,
                    before="waiting_applicant",
                    after="under_instruction",
                )
        if closed:
            audit(
                writer,
                closed,
                "application.close",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="waiting_applicant",
                after="closed",
                reason=closed_reason,
            )
        if withdrawn:
            audit(
                writer,
                withdrawn,
                "application.withdraw",
                actor=user_id,
                subject=user_id,
                application=application_id,
                before="filed",
                after="withdrawn",
                reason="Je pars.",
            )
        if decided:
            audit(
                writer,
                decided,
                "application.decide",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="under_instruction",
                after="decision_taken",
                reason=reasons,
                data={"decision": decision},
            )
        if made:
            audit(
                writer,
                made,
                "application.mark_permit_made",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="decision_taken",
                after="permit_available",
            )
        if handed:
            audit(
                writer,
                handed,
                "application.hand_over",
                actor=agent,
                subject=user_id,
                application=application_id,
                before="permit_available",
                after="handed_over",
            )
        if procedure in ("first", "renewal"):
            self.coverage(
                writer,
                application_id,
                user_id,
                holder,
                current,
                final_status,
                decision,
                decided,
                handed or closed or withdrawn,
            )
        if decision == "unfavourable":
            self.attestation(
                writer, application_id, user_id, "decision", holder, decided + timedelta(minutes=1)
            )
        return self.registry_document(current, final_status, handed)

    def registry_document(self, current, status, handed):
        """What the national file holds now: the new permit once it was handed over."""
        if handed:
            start = handed.date()
            return (
                "permit",
                "N" + current["number"][1:],
                start,
                start + timedelta(days=365 * self.rng.choice((1, 2, 4))),
                current["motive"],
                current["allows_work"],
            )
        return (
            current["kind"],
            current["number"],
            date.fromisoformat(current["valid_from"]),
            date.fromisoformat(current["valid_until"]),
            current["motive"],
            current["allows_work"],
        )

    def attestation(
        self,
        writer,
        application_id,
        user_id,
        kind,
        holder,
        issued,
        valid_from=None,
        valid_until=None,
        data=None,
        revoked=None,
        superseded_by=None,
        attestation_id=None,
    ):
        attestation_id = attestation_id or self.next_id("attestations_attestation")
        number = "AT-" + self.code(10)
        writer.row(
            "attestations_attestation",
            attestation_id,
            number,
            kind,
            holder,
            *self.identity,
            valid_from,
            valid_until,
            issued,
            "",
            application_id,
            data or {},
            "La demande est terminée." if revoked else "",
            revoked,
            superseded_by,
        )
        self.audit(
            writer,
            issued,
            "attestation.issued",
            subject=user_id,
            application=application_id,
            data={
                "kind": kind,
                "number": number,
                "valid_from": valid_from.isoformat() if valid_from else None,
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
        )
        return attestation_id

    def coverage(
        self, writer, application_id, user_id, holder, current, status, decision, decided, ended
    ):
        """ADPs from the day the document ends, then ADFs, as `coverage_ensure` issues them."""
        from sejour.rules.services import add_months

        rule = self.rule
        months = rule.attestation_months
        rights = {
            "procedure": "renewal",
            "allows_work": current["allows_work"],
            "previous_document": current["number"],
        }
        until_day = (decided or ended or self.now).date()
        horizon = until_day + timedelta(days=rule.renew_days_before)
        chain = []  # (kind, valid_from, valid_until)
        covered = date.fromisoformat(current["valid_until"])
        while covered <= horizon:
            start = covered + timedelta(days=1)
            covered = add_months(start, months) - timedelta(days=1)
            chain.append(("adp", start, covered))
        if decision == "favourable":
            start = decided.date()
            horizon = (ended or self.now).date() + timedelta(days=rule.renew_days_before)
            covered = add_months(start, months) - timedelta(days=1)
            chain.append(("adf", start, covered))
            while covered <= horizon:
                start = covered + timedelta(days=1)
                covered = add_months(start, months) - timedelta(days=1)
                chain.append(("adf", start, covered))
        if not chain:
            return
        first_id = self.ids["attestations_attestation"] + 1
        self.ids["attestations_attestation"] += len(chain)
        pending = status in PENDING or (
            status in ("decision_taken", "permit_available") and decision == "favourable"
        )
        for position, (kind, start, end) in enumerate(chain):
            superseded_by = first_id + position + 1 if position + 1 < len(chain) else None
            issued = datetime.combine(
                start - timedelta(days=rule.renew_days_before), datetime.min.time(), UTC
            )
            issued = min(max(issued, self.now - timedelta(days=3000)), self.now)
            revoked = None
            if superseded_by is None and not pending:
                revoked = ended or decided
            self.attestation(
                writer,
                application_id,
                user_id,
                kind,
                holder,
                issued,
                start,
                end,
                rights,
                revoked,
                superseded_by,
                attestation_id=first_id + position,
            )


def recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def secondary_indexes(connection) -> list[tuple[str, str]]:
    """Indexes of the loaded tables that no constraint needs: dropped while loading."""
    return connection.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [list(TABLES)],
    ).fetchall()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help=f"{SMALL_APPLICATIONS:,} applications")
    parser.add_argument("--applications", type=int, default=None)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    url = checked_url(os.environ.get("SCALE_DATABASE_URL"))
    applications = args.applications or (SMALL_APPLICATIONS if args.small else DEFAULT_APPLICATIONS)
    started = time.monotonic()

    def say(message):
        print(f"[{time.monotonic() - started:7.1f} s] {message}", flush=True)

    recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sejour.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from sejour.registry.models import Prefecture
    from sejour.registry.reference import prefectures_sync
    from sejour.rules.services import instruction_rule, rules_sync

    prefectures_sync()
    rules_sync()
    say("database created and migrated")
    import psycopg

    now = timezone.now().replace(microsecond=0)
    seeder = Seeder(
        applications=applications,
        seed=args.seed,
        now=now,
        prefectures=list(Prefecture.objects.order_by("department_code")),
        rule=instruction_rule(timezone.localdate()),
    )
    with psycopg.connect(url, autocommit=True) as connection:
        indexes = secondary_indexes(connection)
        for name, _definition in indexes:
            connection.execute(f'DROP INDEX "{name}"')
    say(f"{len(indexes)} secondary indexes dropped for the load")
    with ExitStack() as stack:
        writer = Writer(url, stack)
        seeder.run(writer, lambda done, made: say(f"{done:,} applicants, {made:,} applications"))
        writer.close()
    counts = writer.counts
    say("rows loaded: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            connection.execute(definition)
        say("secondary indexes built")
        for table in TABLES:
            # Table names from TABLES above, never from input.
            highest = f"(SELECT coalesce(max(id), 1) FROM {table})"  # noqa: S608
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {highest})")
        from sejour.figures.rebuild import figures_rebuild

        figures_rebuild()
        say("summary tables recounted (figures_rebuild)")
        connection.execute("VACUUM (ANALYZE)")
        say("vacuumed and analysed")
    say(f"done: {counts['applications_application']:,} applications")


if __name__ == "__main__":
    main()
