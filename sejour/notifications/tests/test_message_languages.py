"""Every e-mail and SMS template, rendered in French, English and Arabic.

The templates are found on disk (every `…/templates/<app>/email/*.txt` and
`…/templates/<app>/sms/*.txt`): a new template fails here until it has a
context below and every sentence of it is translated in the three catalogues.
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.translation import gettext, ngettext

SEJOUR = Path(settings.BASE_DIR) / "sejour"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")

application = SimpleNamespace(
    reference="SJ-27-4K7M2Q",
    prefecture=SimpleNamespace(name="Paris"),
    get_motive_display=lambda: "—",
)
site = SimpleNamespace(name="Préfecture", address="1 rue Lobau", access_notes="")
CONTEXTS = {
    "collection/email/appointment.txt": {
        "kind": "offered",
        "application": application,
        "site": site,
        "date": "—",
        "time": "10:00",
        "fees": SimpleNamespace(lines=[]),
        "total_cents": 10000,
    },
    "collection/email/no_shows.txt": {
        "booking": SimpleNamespace(
            application=SimpleNamespace(
                reference=application.reference,
                applicant=SimpleNamespace(full_name="Amina Diallo"),
            ),
            site=site,
        ),
        "count": 2,
    },
    "collection/sms/appointment.txt": {
        "kind": "offered",
        "application": application,
        "site": site,
        "date": "—",
        "time": "10:00",
        "total_cents": 10000,
    },
    "accounts/email/activated.txt": {
        "identifier": "7512345678",
        "temporary_password": "abcd-efgh",
        "link": "https://sejour.example/l/",
    },
    "accounts/email/password_reset.txt": {"link": "https://sejour.example/l/", "minutes": 60},
    "accounts/email/verify_email.txt": {
        "first_names": "Amina",
        "link": "https://sejour.example/l/",
        "hours": 24,
    },
    "accounts/email/visa_login.txt": {"link": "https://sejour.example/l/", "hours": 24},
    "accounts/email/welcome_password.txt": {
        "agent": "Lina Moreau",
        "days": 7,
        "link": "https://sejour.example/l/",
    },
    "applications/email/moved.txt": {
        "address_change": SimpleNamespace(
            reference="CA-27-1234", prefecture=application.prefecture
        ),
        "moved": [application],
    },
    "attention/email/digest.txt": {
        "items": [
            SimpleNamespace(
                title="—", detail="—", link_label="—", link_url="/mon-espace/", due_on=None
            )
        ]
    },
    "attention/email/reminder.txt": {
        "kind": "opening",
        "document_kind": "—",
        "ends_on": "1.3.2027",
        "opens_on": "1.12.2026",
        "closes_on": "28.2.2027",
    },
    "attention/sms/reminder.txt": {"kind": "opening", "ends_on": "1.3.2027", "closes_on": "1.2"},
    "attestations/email/address.txt": {"application": application},
    "attestations/email/adf.txt": {"application": application},
    "attestations/email/adp.txt": {"application": application, "attestation": SimpleNamespace()},
    "attestations/email/decision.txt": {"application": application},
    "attestations/email/filing.txt": {"application": application},
    "conversations/email/new_message.txt": {"link": "https://sejour.example/l/"},
    "employers/email/answered.txt": {
        "check": SimpleNamespace(reference="VE-1234"),
        "link": "https://sejour.example/l/",
    },
    "employers/email/invitation.txt": {
        "company": "ACME",
        "hours": 24,
        "link": "https://sejour.example/l/",
    },
    "employers/email/signup.txt": {
        "company": "ACME",
        "hours": 24,
        "link": "https://sejour.example/l/",
    },
    "instruction/email/closed.txt": {"application": application, "reason": "—"},
    "instruction/email/complement.txt": {
        "application": application,
        "request": SimpleNamespace(message="—"),
        "deadline": "1.3.2027",
    },
    "instruction/email/permit_available.txt": {
        "application": application,
        "fees": SimpleNamespace(lines=[SimpleNamespace(label="—", amount_cents=22500)]),
        "total_cents": 22500,
    },
    "instruction/email/started.txt": {"application": application},
    "notifications/sms/permit_available.txt": {"application": application, "total_cents": 22500},
    "support/email/answer.txt": {
        "ticket": SimpleNamespace(reference="CT-1234"),
        "reply": SimpleNamespace(message="—"),
    },
    "support/email/assistance.txt": {"agent": "Lina Moreau"},
    "support/email/assistance_code.txt": {"code": "234567"},
    "support/email/received.txt": {"ticket": SimpleNamespace(reference="CT-1234")},
}


def message_templates() -> list[str]:
    found = set()
    for path in SEJOUR.glob("**/templates/*/*/*.txt"):
        if path.parent.name in ("email", "sms"):
            found.add(str(path.relative_to(path.parents[3] / "templates")))
    return sorted(found)


def _placeholders(text: str) -> str:
    """A blocktranslate body as its msgid: {{ name }} → %(name)s (what makemessages writes)."""
    return re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", text).replace("%%", "%")


def sentences(name: str) -> list[tuple[str, str | None]]:
    """The template's msgids: (singular, plural or None)."""
    source = get_template(name).template.source
    found = [(m, None) for m in re.findall(r'{%\s*translate\s+"([^"]+)"\s*%}', source)]
    for body in re.findall(r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", source):
        singular, _sep, plural = body.partition("{% plural %}")
        found.append((_placeholders(singular), _placeholders(plural) if plural else None))
    return found


def test_every_message_template_has_a_context_here():
    assert message_templates(), "no message template found: the search pattern is wrong"
    assert set(message_templates()) == set(CONTEXTS)


@pytest.mark.parametrize("name", message_templates())
def test_every_sentence_of_the_template_is_translated_in_french_and_arabic(name):
    msgids = sentences(name)
    assert msgids, f"{name} has no translatable sentence"
    for language in ("fr", "ar"):
        with translation.override(language):
            missing = [
                singular
                for singular, plural in msgids
                if (ngettext(singular, plural, 2) if plural else gettext(singular)) == singular
            ]
        assert not missing, f"{name}: not translated in {language}: {missing}"


@pytest.mark.parametrize("name", message_templates())
def test_the_template_comes_out_in_each_language(name):
    rendered = {}
    for language in LANGUAGES:
        with translation.override(language):
            rendered[language] = render_to_string(name, {"site_url": "https://s", **CONTEXTS[name]})
            first, _plural = sentences(name)[0]
            if "%(" not in first:
                # A known sentence of the template, in this language's words.
                assert gettext(first) in rendered[language], (name, language)
    assert len(set(rendered.values())) == 3, f"{name}: two languages give the same text"
    assert ARABIC_LETTER.search(rendered["ar"])
    assert not ARABIC_LETTER.search(rendered["fr"] + rendered["en"])
    # No sentence of the French text is left in the English or Arabic one (nor English in
    # Arabic): compare the lines that carry words of the template, not only data.
    for source, others in (("fr", ("en", "ar")), ("en", ("ar",))):
        lines = {
            line.strip()
            for line in rendered[source].splitlines()
            if len(re.findall(r"[^\W\d_]{4,}", re.sub(r"\S*://\S*", "", line))) >= 3
        }
        for other in others:
            left = lines & {line.strip() for line in rendered[other].splitlines()}
            assert not left, f"{name}: {source} text left in {other}: {left}"
