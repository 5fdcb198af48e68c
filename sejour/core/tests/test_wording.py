"""Typography of each language: no French space before ":", "?" or "!" in English."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from sejour.core.tests.test_layout import untranslated_entries

# A space (plain or no-break) before a colon, question or exclamation mark, as French
# typography wants and English does not.
FRENCH_SPACING = re.compile(r"\S[ \u00a0\u202f][:?!](?=[\s<{%]|$)")


def catalogue_entries(po_text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every live entry; plural forms joined."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#")]
        parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}
        current = None
        for line in lines:
            if line.startswith("msgid ") or line.startswith("msgid_plural "):
                current = "msgid"
            elif line.startswith("msgstr"):
                current = "msgstr"
            elif line.startswith("msgctxt"):
                current = None
                continue
            if current and '"' in line:
                parts[current].append(line.split('"', 1)[1].rsplit('"', 1)[0])
        msgid = "".join(parts["msgid"])
        if msgid:
            entries.append((msgid, "".join(parts["msgstr"])))
    return entries


def english_text_with_french_spacing(po_text: str) -> list[str]:
    """What an English page would show: the translation, or the msgid when there is none."""
    return [
        shown
        for msgid, msgstr in catalogue_entries(po_text)
        for shown in [(msgstr or msgid).replace("\\n", "\n")]
        if FRENCH_SPACING.search(shown)
    ]


def test_the_english_catalogue_has_no_french_spacing():
    po = (settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po").read_text()
    assert english_text_with_french_spacing(po) == []


def test_french_spacing_is_detected():
    po = (
        'msgid ""\nmsgstr "Content-Type: x"\n\n'
        'msgid "File : %(name)s"\nmsgstr ""\n\n'
        'msgid "Why ?"\nmsgstr "Why ?"\n\n'
        'msgid "Done"\nmsgstr "Done !"\n\n'
        'msgid "Time: 12:30"\nmsgstr ""\n'
    )
    assert english_text_with_french_spacing(po) == ["File : %(name)s", "Why ?", "Done !"]
    assert untranslated_entries(po)  # the same format the completeness test reads


# Template text outside the translation tags is the same in every language: it must not
# carry a language's punctuation (a label and its colon go through {% blocktranslate %}).
BLOCK = re.compile(r"\{% blocktranslate.*?%\}.*?\{% endblocktranslate %\}", re.S)
UNTRANSLATED = re.compile(r"\{%.*?%\}|\{#.*?#\}|<script.*?</script>|<style.*?</style>", re.S)


def test_no_template_puts_french_spacing_around_translated_words():
    found = []
    for path in sorted(Path(settings.BASE_DIR, "sejour").rglob("templates/**/*")):
        if path.suffix not in (".html", ".txt"):
            continue
        text = UNTRANSLATED.sub("", BLOCK.sub("", path.read_text()))
        found += [f"{path.name}: {match.group()!r}" for match in FRENCH_SPACING.finditer(text)]
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "separator"), [("en", "</a>: "), ("fr", "</a> : ")])
def test_the_error_summary_puts_the_colon_the_languages_way(client, language, separator):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.post(reverse("accounts:login"), {}).content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert separator in summary
    assert ("</a> : " in summary) == (language == "fr")
