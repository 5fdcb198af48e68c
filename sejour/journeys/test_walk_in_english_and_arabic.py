"""Journey: the applicant's main pages in English and in Arabic, with no French left.

A person who chose English or Arabic walks the home page, the sign-up, the login,
the help centre, "Mon espace", the filing wizard's steps, the documents, the
application page with its attestations, the contact form and an error page. On
each: the page is in the chosen language (`lang`, `dir`), no French word is left
outside the small allow-list below, and axe-core finds no violation (right to
left included).
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sejour.applications.models import Status
from sejour.applications.tests.helpers import (
    attach_required_documents,
    fill_until_documents,
    give_ephoto,
    start,
    step_url,
)
from sejour.conftest import PASSWORD
from sejour.rules.services import wizard_steps

from .helpers import label

# What may stay French on an English or Arabic page, each with its reason. Matched as
# whole phrases (case-insensitive) and removed before the page is searched for French.
ALLOWED_FRENCH = {
    "Séjour": "the service's name",
    "République française": "the State's name in the DSFR's logo, never translated",
    "Français": "the language switch names each language in itself (issue 15 §3)",
    "Référence": "the foreign-national number's name on a VLS-TS confirmation, as printed",
    "titre de séjour à solliciter": "the visa's printed mention, quoted to be recognised",
    "titre de séjour": "administrative term kept beside its translation (issue 15 §2)",
    "titres de séjour": "the same term, plural",
    "récépissé": "administrative term kept beside its translation (issue 15 §2)",
    "récépissés": "the same term, plural",
    "numéro étranger": "administrative term kept beside its translation (issue 15 §2)",
    "préfecture": "administrative term kept beside its translation (issue 15 §2)",
    "préfectures": "the same term, plural",
    "attestation de dépôt": "the attestation's printed name, kept beside its translation",
    "attestation de prolongation d’instruction": "the ADP's printed name, kept (glossary)",
    "attestation de décision favorable": "the ADF's printed name, kept (glossary)",
    "timbre fiscal électronique": "the stamp's official name, kept beside its translation",
    "pièces justificatives": "administrative term kept beside its translation",
    "classé sans suite": "the decision's administrative name, kept beside its translation",
    "étudiant": "the permit's printed mention (« étudiant »), kept beside its translation",
    "salarié": "the permit's printed mention, kept beside its translation",
    "résident": "the permit's printed mention, kept beside its translation",
    "vie privée et familiale": "the permit's printed mention, kept beside its translation",
    "intérim": "the permit's printed mention (« salarié – intérim »), kept beside it",
    "Allô Service Public": "proper name of the State's information line",
    "département": "the French administrative area, written so in English (glossary)",
    "départements": "the same term, plural",
    "Préfecture de police": "proper name of the authority of Paris (the test person lives there)",
    "sénégalaise": "the nationality as the national files hold it (registry data, not our text)",
    "rue de la Paix": "the person's address as the national files hold it",
    "rue Oberkampf": "the address the applicant typed",
    "Dakar (Sénégal)": "the birth place the applicant typed",
    "Sorbonne Université": "a university's proper name, typed by the applicant",
    "Master de chimie": "the diploma as the applicant typed it",
    "Université": "a university's proper name, typed by the applicant",
}
# Words that exist in French and not in English (the short ones English shares —
# "a", "on", "son", "plus", "ne" — are left out), and letters English does not use.
FRENCH_WORDS = {
    "le",
    "la",
    "les",
    "des",
    "du",
    "de",
    "et",
    "vous",
    "votre",
    "vos",
    "pour",
    "une",
    "est",
    "sont",
    "avec",
    "dans",
    "pas",
    "qui",
    "que",
    "aux",
    "au",
    "ou",
    "par",
    "cette",
    "ces",
    "nous",
    "notre",
    "mon",
    "ma",
    "mes",
    "sur",
    "ses",
    "leur",
    "leurs",
    "être",
    "avoir",
    "fait",
    "demande",
    "demandes",
    "étape",
    "suivant",
    "précédent",
    "enregistrer",
    "envoyer",
    "retour",
    "accueil",
    "connexion",
    "compte",
    "courriel",
    "fichier",
    "pièces",
    "justificatif",
    "justificatifs",
}
FRENCH_LETTERS = re.compile(r"[éèêëàâîïôûùçœÉÈÊÀÂÎÔÛÇŒ]")
# Words only: not the letters of a reference or a code ("SJ-QU275V2Q").
WORD = re.compile(r"(?<![\w-])[A-Za-zÀ-ÖØ-öø-ÿœŒ]+(?:['’][A-Za-zÀ-ÖØ-öø-ÿœŒ]+)*(?![\w-])")
ELISIONS = {"l", "d", "qu", "j", "n", "s", "c"}  # l’attestation, qu’il, n’est


def french_left(text: str) -> list[str]:
    """The French words of `text`, once the allowed phrases are taken out."""
    text = re.sub(r"\s+", " ", text)  # the logo's line break, text in several elements
    for phrase in sorted(ALLOWED_FRENCH, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", " ", text, flags=re.IGNORECASE)
    found = []
    for word in WORD.findall(text):
        *elided, last = re.split(r"['’]", word.lower())
        if (
            any(part in ELISIONS for part in elided)
            or last in FRENCH_WORDS
            or FRENCH_LETTERS.search(word)
        ):
            found.append(word)
    return found


def test_french_detector_finds_french_and_spares_the_allowed_terms():
    assert french_left("Votre demande est enregistrée.") == [
        "Votre",
        "demande",
        "est",
        "enregistrée",
    ]
    assert french_left("Your residence permit (titre de séjour) is ready.") == []
    assert french_left("بطاقة الإقامة (titre de séjour) و Séjour") == []
    assert french_left("l’attestation") == ["l’attestation"]
    assert french_left("Log in to Séjour, République Française") == []
    assert french_left("Application SJ-QU275V2Q, don’t worry") == []
    assert french_left("n’est pas") == ["n’est", "pas"]


def _t(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


# What is read on a page: its visible text and the words only some people hear or
# see (title, labels for assistive technology, placeholders, image texts, options).
PAGE_WORDS = """() => [
    document.title,
    document.body.innerText,
    ...[...document.querySelectorAll('[title], [aria-label], [placeholder], img[alt], option')]
        .map((e) => [e.title, e.getAttribute('aria-label'), e.placeholder, e.alt,
                     e.tagName === 'OPTION' ? e.textContent : ''].filter(Boolean).join(' ')),
].join('\\n')"""


# `make screenshots` sets it: the Arabic phone walk then keeps what a person sees first
# on the main pages (the viewport, 360×740) as docs/screenshots/ar-phone-NN-page.png.
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")
SCREENSHOT_PAGES = [
    "home", "signup", "login", "help", "contact", "error-404", "my-space", "chooser",
    "presentation", "step-personal", "step-motive", "step-documents", "step-summary",
    "step-confirmation", "application",
]  # fmt: skip


@pytest.fixture(params=["desktop", "phone"])
def mode(request):
    return request.param


@pytest.fixture(params=["en", "ar"])
def language(request):
    return request.param


class Walk:
    def __init__(self, visit, language):
        self.visit, self.language = visit, language
        self.page = visit.new_page()
        # Some twenty pages, each checked by axe-core, on a machine that may be busy.
        self.page.context.set_default_timeout(60_000)
        self.page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": visit.base_url}]
        )
        self.pages, self.problems = [], []

    def see(self, path: str, name: str, status: int = 200):
        response = self.page.goto(path)
        assert response.status == status, f"{path}: {response.status}"
        self.check(name)

    def _screenshot_wanted(self, name: str) -> bool:
        arabic_phone = (self.language, self.visit.mode) == ("ar", "phone")
        return bool(SCREENSHOTS_DIR) and arabic_phone and name in SCREENSHOT_PAGES

    def check(self, name: str):
        page = self.page
        direction = "rtl" if self.language == "ar" else "ltr"
        html = page.locator("html")
        assert html.get_attribute("lang") == self.language, f"{name}: lang"
        assert html.get_attribute("dir") == direction, f"{name}: dir"
        # Nothing spills out sideways (a mirrored layout that does widens the page).
        width, viewport = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width > viewport:
            self.problems.append(f"{name} ({page.url}) is {width}px wide for {viewport}px")
        left = french_left(page.evaluate(PAGE_WORDS))
        if left:
            self.problems.append(f"{name} ({page.url}) still has French: {sorted(set(left))}")
        if self._screenshot_wanted(name):
            folder = Path(SCREENSHOTS_DIR)
            folder.mkdir(parents=True, exist_ok=True)
            number = SCREENSHOT_PAGES.index(name) + 1
            page.screenshot(path=str(folder / f"ar-phone-{number:02d}-{name}.png"))
        try:
            self.visit.check(page, f"{self.language}-{name}")
        except AssertionError as error:  # every page is walked; all problems told at once
            self.problems.append(str(error))
        self.pages.append(name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("clamd", "media_root")
def test_walk_in_english_and_arabic(visit, language, applicant, ephoto_codes):
    walk = Walk(visit, language)
    page = walk.page

    # Before logging in.
    walk.see("/", "home")
    walk.see(reverse("accounts:signup_start"), "signup")
    walk.see(reverse("accounts:signup_residence"), "signup-permit")
    walk.see(reverse("core:help"), "help")
    walk.see(reverse("support:contact"), "contact")
    walk.see("/nulle-part/", "error-404", status=404)
    walk.see(reverse("accounts:login"), "login")

    page.get_by_label(label(_t(language, "Foreign-national number"))).fill(applicant.identifier)
    page.get_by_label(label(_t(language, "Password"))).fill(PASSWORD)
    page.get_by_role("button", name=_t(language, "Log in")).click()
    page.get_by_role("heading", name=_t(language, "My space")).wait_for()
    walk.check("my-space")
    walk.see(reverse("applications:dashboard"), "applications")
    walk.see(reverse("applications:new"), "chooser")
    walk.see(reverse("applications:presentation", args=["student"]), "presentation")

    # A draft with every step answered, kept as the applicant left it.
    client = Client()
    client.force_login(applicant)
    application = start(client, "student")
    fill_until_documents(client, application)
    for step in wizard_steps(
        motive=application.motive, procedure=application.procedure, on=application.created_at.date()
    ):
        if step.slug == "documents":
            attach_required_documents(client, application)
            assert give_ephoto(client, application, ephoto_codes["valid"]).status_code == 302
        walk.see(step_url(application, step.slug), f"step-{step.slug}")
        if step.slug in ("documents", "summary"):
            assert client.post(step_url(application, step.slug)).status_code == 302

    # Sent, with its attestation of filing: the application page lists it.
    response = client.post(step_url(application, "confirmation"), {"certify": "on"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.FILED
    walk.see(reverse("applications:detail", args=[application.reference]), "application")
    page.get_by_role(
        "link", name=re.compile(re.escape(_t(language, "Attestation of filing")))
    ).wait_for()
    # The progress list's marker points at the current step, from the reading side.
    current = page.locator('[aria-current="step"]').inner_text().strip()
    assert current.startswith("←" if language == "ar" else "→"), current
    walk.see(reverse("accounts:home"), "my-space-after-filing")
    walk.see(reverse("support:contact"), "contact-logged-in")

    assert len(walk.pages) >= 18
    assert walk.problems == [], "\n".join(walk.problems)
