"""The demo data set: one person for each account path and each situation of SPEC §1–5.

Dates are relative to today, so "inside the filing window" stays true whenever
the demo is loaded. Loading twice changes nothing: rows are found by their
natural keys, and a demo account's password is only set when it is created.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from sejour.accounts.models import User
from sejour.registry.models import (
    DocumentKind,
    EphotoCode,
    Motive,
    Person,
    Prefecture,
    ResidenceDocument,
    TaxStamp,
)
from sejour.registry.reference import prefectures_sync

DEMO_PASSWORD = "sejour-demo-2026"
# Development only: every demo agent's authenticator secret (RFC 6238's test key).
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_SECRET_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
DEMO_EMAIL_DOMAIN = "demo.sejour.example"


@dataclass
class DemoDocument:
    kind: str
    number: str
    starts_days: int  # relative to today; negative is in the past
    ends_days: int
    motive: str
    allows_work: bool = False
    validated: bool = False


@dataclass
class DemoPerson:
    situation: str
    last_name: str
    first_names: str
    birth_date: date
    birth_place: str
    nationality: str
    address: str
    postcode: str
    city: str
    documents: list[DemoDocument]
    foreign_number: str | None = None
    # "full": an account with the demo password; "provisional": visa access; None: no account yet.
    account: str | None = None
    email: str = field(default="")


PEOPLE = [
    DemoPerson(
        situation="Student permit ending in 3 months: inside the renewal window",
        last_name="Diallo",
        first_names="Amina",
        birth_date=date(2001, 4, 12),
        birth_place="Dakar (Sénégal)",
        nationality="sénégalaise",
        address="12 rue Oberkampf",
        postcode="75011",
        city="Paris",
        foreign_number="7501000001",
        account="full",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR7501000001", -275, 90, Motive.STUDENT, True)
        ],
    ),
    DemoPerson(
        situation="Talent permit ending in 8 months: before the window; a loss gives a duplicate",
        last_name="Pereira",
        first_names="Lucas",
        birth_date=date(1988, 9, 3),
        birth_place="Belo Horizonte (Brésil)",
        nationality="brésilienne",
        address="4 quai Victor Augagneur",
        postcode="69003",
        city="Lyon",
        foreign_number="6901000002",
        account="full",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR6901000002", -490, 240, Motive.TALENT, True)
        ],
    ),
    DemoPerson(
        situation="Visitor permit ending in 40 days: late renewal, permit ends within 90 days",
        last_name="Chen",
        first_names="Mei",
        birth_date=date(1956, 1, 22),
        birth_place="Chengdu (Chine)",
        nationality="chinoise",
        address="8 boulevard Longchamp",
        postcode="13001",
        city="Marseille",
        foreign_number="1301000003",
        account="full",
        documents=[DemoDocument(DocumentKind.PERMIT, "FR1301000003", -325, 40, Motive.VISITOR)],
    ),
    DemoPerson(
        situation="Talent – family permit ending in 70 days: inside the window, near the late mark",
        last_name="Pereira",
        first_names="Ana",
        birth_date=date(1990, 2, 14),
        birth_place="Belo Horizonte (Brésil)",
        nationality="brésilienne",
        address="4 quai Victor Augagneur",
        postcode="69003",
        city="Lyon",
        foreign_number="6901000007",
        account="full",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR6901000007", -490, 70, Motive.TALENT_FAMILY, True)
        ],
    ),
    DemoPerson(
        situation="Receipt (récépissé) for a student permit being renewed",
        last_name="Nguyen",
        first_names="Thi Lan",
        birth_date=date(2000, 7, 30),
        birth_place="Hanoï (Viêt Nam)",
        nationality="vietnamienne",
        address="3 rue de la Monnaie",
        postcode="59800",
        city="Lille",
        foreign_number="5901000008",
        account="full",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR5901000008", -400, -35, Motive.STUDENT, True),
            DemoDocument(DocumentKind.RECEIPT, "R5901000008", -35, 145, Motive.STUDENT, True),
        ],
    ),
    DemoPerson(
        situation="Student permit with a 9-digit legacy number, no account yet",
        last_name="Ramírez",
        first_names="Sofía",
        birth_date=date(1999, 11, 5),
        birth_place="Bogotá (Colombie)",
        nationality="colombienne",
        address="21 rue Sainte-Catherine",
        postcode="33000",
        city="Bordeaux",
        foreign_number="330100005",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR330100005", -200, 165, Motive.STUDENT, True)
        ],
    ),
    DemoPerson(
        situation="Validated VLS-TS (student), no account yet: the Référence is the identifier",
        last_name="Kovalenko",
        first_names="Oleksandr",
        birth_date=date(2003, 5, 18),
        birth_place="Kharkiv (Ukraine)",
        nationality="ukrainienne",
        address="15 rue Nationale",
        postcode="37000",
        city="Tours",
        foreign_number="3701000004",
        documents=[
            DemoDocument(DocumentKind.VLS_TS, "456789012", -250, 115, Motive.STUDENT, True, True)
        ],
    ),
    DemoPerson(
        situation="Long-stay visa “titre à solliciter” (talent), no account yet",
        last_name="Okafor",
        first_names="Chinedu",
        birth_date=date(1992, 3, 9),
        birth_place="Lagos (Nigeria)",
        nationality="nigériane",
        address="30 rue de la République",
        postcode="75011",
        city="Paris",
        documents=[DemoDocument(DocumentKind.VLS, "123456789", -20, 345, Motive.TALENT, True)],
    ),
    DemoPerson(
        situation="Long-stay visa “titre à solliciter” (student) with provisional access",
        last_name="Asante",
        first_names="Kwame",
        birth_date=date(2004, 8, 1),
        birth_place="Kumasi (Ghana)",
        nationality="ghanéenne",
        address="5 rue Mercière",
        postcode="69002",
        city="Lyon",
        account="provisional",
        documents=[DemoDocument(DocumentKind.VLS, "234567890", -15, 350, Motive.STUDENT)],
    ),
    DemoPerson(
        situation=(
            "Employee permit: may open an account (change of address, loss, a talent or "
            "student permit); an employee renewal is sent to the Nord prefecture"
        ),
        last_name="Benali",
        first_names="Karim",
        birth_date=date(1985, 12, 2),
        birth_place="Oran (Algérie)",
        nationality="algérienne",
        address="40 rue Nationale",
        postcode="59000",
        city="Lille",
        foreign_number="5901000006",
        documents=[
            DemoDocument(DocumentKind.PERMIT, "FR5901000006", -300, 65, Motive.EMPLOYEE, True)
        ],
    ),
    DemoPerson(
        situation="Short-stay visa: not eligible online, sent to the Gironde prefecture",
        last_name="Silva",
        first_names="João",
        birth_date=date(1979, 6, 25),
        birth_place="Porto Alegre (Brésil)",
        nationality="brésilienne",
        address="2 place de la Bourse",
        postcode="33000",
        city="Bordeaux",
        documents=[DemoDocument(DocumentKind.VISA, "345678901", -10, 80, Motive.VISITOR)],
    ),
]

STAFF = [
    # identifier, role, département code of the prefecture, first names, last name
    ("agent.paris", User.Role.AGENT, "75", "Claire", "Martin"),
    ("superviseur.paris", User.Role.SUPERVISOR, "75", "Jérôme", "Bernard"),
    ("agent.rhone", User.Role.AGENT, "69", "Nadia", "Petit"),
    ("superviseur.rhone", User.Role.SUPERVISOR, "69", "Paul", "Durand"),
    ("support", User.Role.SUPPORT, None, "Inès", "Moreau"),
]

# e-photo codes (about 22 letters and digits) in each state SPEC §1 names.
EPHOTO_CODES = [
    # code, hours since the shot, hours until available after the shot, used
    ("VALIDE7K2M9Q4R8T1V5X3Z", 72, 24, False),
    ("ATTENTE4B6D8F1H3J5L7N9", 2, 48, False),
    ("EXPIRE9P8R7S6T5U4V3W2X", 24 * 190, 24, False),
    ("UTILISE2C4E6G8J1L3N5Q7", 24 * 10, 24, True),
]

# Electronic tax stamps: number, amount in euros, days since purchase, used.
TAX_STAMPS = [
    ("1000000000000001", 200, 5, False),
    ("1000000000000002", 50, 5, False),
    ("1000000000000003", 300, 5, False),
    ("1000000000000004", 100, 5, False),
    ("1000000000000005", 200, 400, False),  # bought over 12 months ago: expired
    ("1000000000000006", 200, 20, True),  # already used
]


def _person_for(demo: DemoPerson) -> Person:
    if demo.foreign_number:
        person = Person.objects.filter(foreign_number=demo.foreign_number).first()
    else:
        numbers = [document.number for document in demo.documents]
        person = Person.objects.filter(documents__number__in=numbers).first()
    person = person or Person(foreign_number=demo.foreign_number)
    for name in ("last_name", "first_names", "birth_date", "birth_place", "nationality"):
        setattr(person, name, getattr(demo, name))
    person.address, person.postcode, person.city = demo.address, demo.postcode, demo.city
    person.save()
    return person


def _email(demo: DemoPerson) -> str:
    local = f"{demo.first_names}.{demo.last_name}".lower().replace(" ", "-")
    return f"{local.encode('ascii', 'ignore').decode()}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def load_demo(today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    now = timezone.now()
    prefectures_sync()
    for demo in PEOPLE:
        person = _person_for(demo)
        for document in demo.documents:
            ResidenceDocument.objects.update_or_create(
                kind=document.kind,
                number=document.number,
                defaults={
                    "person": person,
                    "valid_from": today + timedelta(days=document.starts_days),
                    "valid_until": today + timedelta(days=document.ends_days),
                    "motive": document.motive,
                    "allows_work": document.allows_work,
                    "validated": document.validated,
                },
            )
        names = {"first_names": demo.first_names, "last_name": demo.last_name}
        if (
            demo.account == "full"
            and not User.objects.filter(identifier=demo.foreign_number).exists()
        ):
            User.objects.create_user(
                demo.foreign_number,
                DEMO_PASSWORD,
                email=_email(demo),
                email_verified_at=now,
                **names,
            )
        elif demo.account == "provisional":
            visa = demo.documents[0].number
            if not User.objects.filter(visa_number=visa).exists():
                User.objects.create_user(
                    None, email=_email(demo), email_verified_at=now, visa_number=visa, **names
                )
    for identifier, role, department, first_names, last_name in STAFF:
        if not User.objects.filter(identifier=identifier).exists():
            User.objects.create_user(
                identifier,
                DEMO_PASSWORD,
                email=f"{identifier}@{DEMO_EMAIL_DOMAIN}",
                role=role,
                prefecture=Prefecture.objects.get(department_code=department)
                if department
                else None,
                first_names=first_names,
                last_name=last_name,
            )
    for identifier, *_rest in STAFF:
        agent = User.objects.get(identifier=identifier)
        TOTPDevice.objects.get_or_create(
            user=agent, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
        )
    if not User.objects.filter(identifier="admin").exists():
        User.objects.create_superuser("admin", DEMO_PASSWORD, email=f"admin@{DEMO_EMAIL_DOMAIN}")
    TOTPDevice.objects.get_or_create(
        user=User.objects.get(identifier="admin"),
        name="demo",
        defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
    )
    for code, hours_ago, delay_hours, used in EPHOTO_CODES:
        taken_at = now - timedelta(hours=hours_ago)
        EphotoCode.objects.update_or_create(
            code=code,
            defaults={
                "taken_at": taken_at,
                "available_at": taken_at + timedelta(hours=delay_hours),
                "used_at": taken_at + timedelta(days=2) if used else None,
            },
        )
    for number, euros, days_ago, used in TAX_STAMPS:
        bought_at = now - timedelta(days=days_ago)
        TaxStamp.objects.update_or_create(
            number=number,
            defaults={
                "amount_cents": euros * 100,
                "bought_at": bought_at,
                "used_at": bought_at + timedelta(days=1) if used else None,
            },
        )
    from sejour.employers.demo import employers_demo_load

    employers_demo_load(password=DEMO_PASSWORD, email_domain=DEMO_EMAIL_DOMAIN)
    from sejour.collection.demo import collection_demo_load

    collection_demo_load()
    return {
        "people": Person.objects.count(),
        "documents": ResidenceDocument.objects.count(),
        "users": User.objects.count(),
        "ephoto_codes": EphotoCode.objects.count(),
        "tax_stamps": TaxStamp.objects.count(),
    }


def signup_examples() -> list[str]:
    """One line per demo person without an account: what to type to sign up."""
    lines = []
    for demo in PEOPLE:
        if demo.account:
            continue
        document = ResidenceDocument.objects.get(
            kind=demo.documents[0].kind, number=demo.documents[0].number
        )
        number = demo.foreign_number or f"visa {document.number}"
        lines.append(
            f"{number}  {document.valid_from:%Y-%m-%d}  {document.valid_until:%Y-%m-%d}"
            f"  — {demo.first_names} {demo.last_name}: {demo.situation}"
        )
    return lines
