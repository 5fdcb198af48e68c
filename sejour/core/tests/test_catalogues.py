"""Every catalogue is complete, keeps the placeholders of its message ids, and is
compiled at install rather than kept compiled in git."""

import gettext
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.conf import settings

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# %(name)s, %s, %d, %.2f … ("%%" is a literal percent sign, not a placeholder).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
# {name}, {0}, {} as str.format() reads them.
BRACE_PLACEHOLDER = re.compile(r"\{(?:[A-Za-z_][\w.]*|\d*)\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    flags: set[str] = field(default_factory=set)
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}|{self.msgid}"


def unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(0)), body)


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file (obsolete "#~" ones left out), header included."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, target = Entry(), None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                target(unquote(line))
            else:
                keyword = line.split(" ", 1)[0]
                value = unquote(line)
                if keyword == "msgctxt":
                    entry.msgctxt = value

                    def target(more, entry=entry):
                        entry.msgctxt += more
                elif keyword == "msgid":
                    entry.msgid = value

                    def target(more, entry=entry):
                        entry.msgid += more
                elif keyword == "msgid_plural":
                    entry.msgid_plural = value

                    def target(more, entry=entry):
                        entry.msgid_plural += more
                elif keyword.startswith("msgstr"):
                    index = int(keyword[7:-1]) if keyword != "msgstr" else 0
                    entry.msgstr[index] = value

                    def target(more, entry=entry, index=index):
                        entry.msgstr[index] += more
                else:
                    raise ValueError(f"Unexpected line in a .po file: {line!r}")
        if entry.msgstr:  # a block of obsolete entries or comments only has none
            entries.append(entry)
    return entries


def incomplete_entries(entries: list[Entry], nplurals: int) -> list[str]:
    """Message ids that are fuzzy, have an empty translation, or lack a plural form."""
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        forms = range(nplurals) if entry.msgid_plural is not None else range(1)
        if "fuzzy" in entry.flags or any(not entry.msgstr.get(form) for form in forms):
            problems.append(entry.label)
    return problems


def placeholders(text: str, python_format: bool) -> Counter:
    found = Counter(BRACE_PLACEHOLDER.findall(text))
    for match in PERCENT_PLACEHOLDER.finditer(text):
        # A bare "%s" only counts where Python formats the string; "%(name)s" always does
        # (templates' blocktranslate).
        if match.group(0) != "%%" and (python_format or match.group(1)):
            found[match.group(0)] += 1
    return found


def placeholder_mismatches(entries: list[Entry]) -> list[str]:
    """Translations whose placeholders differ from their message id's.

    A plural form may follow the singular or the plural id (languages with several
    forms use the singular id's placeholders for some of them)."""
    problems = []
    for entry in entries:
        if entry.is_header:
            continue
        python_format = "python-format" in entry.flags
        expected = [placeholders(entry.msgid, python_format)]
        if entry.msgid_plural is not None:
            expected.append(placeholders(entry.msgid_plural, python_format))
        for _index, translation in sorted(entry.msgstr.items()):
            if translation and placeholders(translation, python_format) not in expected:
                problems.append(f"{entry.label} → {translation}")
    return problems


def catalogue_path(language: str):
    return settings.LOCALE_PATHS[0] / language / "LC_MESSAGES" / "django.po"


def nplurals(entries: list[Entry]) -> int:
    header = next(entry for entry in entries if entry.is_header).msgstr[0]
    return int(re.search(r"nplurals\s*=\s*(\d+)", header).group(1))


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(language):
    entries = parse_po(catalogue_path(language).read_text())
    assert incomplete_entries(entries, nplurals(entries)) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_keeps_the_placeholders_of_each_message(language):
    assert placeholder_mismatches(parse_po(catalogue_path(language).read_text())) == []


def test_catalogues_hold_the_same_messages():
    """A catalogue updated alone (makemessages for one language) lacks the others' new strings."""
    ids = {
        language: {
            (entry.msgctxt, entry.msgid, entry.msgid_plural)
            for entry in parse_po(catalogue_path(language).read_text())
        }
        for language in LANGUAGES
    }
    for language in LANGUAGES:
        assert ids[language] == ids[LANGUAGES[0]], language


SAMPLE = r"""# header comment
#, fuzzy
msgid ""
msgstr ""
"Plural-Forms: nplurals=3; plural=(n == 0 || n == 1) ? 0 : 2;\n"

msgid "Done"
msgstr "Fait"

msgid "Empty"
msgstr ""

#, fuzzy
msgid "Guessed"
msgstr "Deviné"

msgid ""
"A long message on "
"two lines"
msgstr ""
"Un long message sur "
"deux lignes"

#, python-format
msgid "%(count)d file"
msgid_plural "%(count)d files"
msgstr[0] "%(count)d fichier"
msgstr[1] ""
msgstr[2] "%(count)d fichiers"

msgctxt "month"
msgid "May"
msgstr ""

#~ msgid "Old"
#~ msgstr ""
"""


def test_incomplete_entries_are_listed_header_and_obsolete_aside():
    entries = parse_po(SAMPLE)
    assert [entry.label for entry in entries][1:4] == ["Done", "Empty", "Guessed"]
    assert entries[4].msgid == "A long message on two lines"
    assert entries[4].msgstr == {0: "Un long message sur deux lignes"}
    assert nplurals(entries) == 3
    assert incomplete_entries(entries, nplurals(entries)) == [
        "Empty",
        "Guessed",
        "%(count)d file",
        "month|May",
    ]


def test_a_missing_plural_form_is_incomplete():
    entries = parse_po(
        'msgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d jour"\n'
        'msgstr[1] "%(n)d jours"\n'
    )
    assert incomplete_entries(entries, 2) == []
    assert incomplete_entries(entries, 3) == ["%(n)d day"]


def test_escaped_quotes_and_newlines_are_read():
    (entry,) = parse_po(r'msgid "Say \"hi\"\n"' + "\n" + r'msgstr "Dis \"salut\"\n"')
    assert (entry.msgid, entry.msgstr[0]) == ('Say "hi"\n', 'Dis "salut"\n')


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Hello %(name)s", "Bonjour %(nom)s"),
        ("Hello %(name)s", "Bonjour"),
        ("Sent to %(email)s by %(agent)s", "Envoyé à %(email)s"),
        ("%(amount)s €", "%(amount)d €"),
        ("Step %s of %s", "Étape %s"),
        ("Hello {name}", "Bonjour {nom}"),
        ("Hello {name}", "Bonjour"),
    ],
)
def test_changed_placeholders_are_found(msgid, msgstr):
    po = f'#, python-format\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n'
    assert placeholder_mismatches(parse_po(po)) == [f"{msgid} → {msgstr}"]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "flags"),
    [
        ("Hello %(name)s and %(other)s", "%(other)s et %(name)s, bonjour", "#, python-format\n"),
        ("100%% sure: %s", "Sûr à 100 %% : %s", "#, python-format\n"),
        ("100% sure", "Sûr à 100 %", ""),
        ("Hello {name}", "Bonjour {name}", ""),
    ],
)
def test_kept_placeholders_pass(msgid, msgstr, flags):
    assert placeholder_mismatches(parse_po(f'{flags}msgid "{msgid}"\nmsgstr "{msgstr}"\n')) == []


def test_each_plural_form_follows_the_singular_or_the_plural_id():
    po = (
        '#, python-format\nmsgid "One file in %(box)s"\nmsgid_plural "%(count)d files in %(box)s"\n'
        'msgstr[0] "Un fichier dans %(box)s"\nmsgstr[1] "%(count)d fichiers dans %(box)s"\n'
        'msgstr[2] "%(count)d fichiers"\n'
    )
    assert placeholder_mismatches(parse_po(po)) == ["One file in %(box)s → %(count)d fichiers"]


def test_compiled_catalogues_are_not_kept_in_git():
    """.mo files are built by `make install` (compilemessages) from the .po files."""
    root = settings.BASE_DIR
    assert "*.mo" in (root / ".gitignore").read_text().splitlines()
    makefile = (root / "Makefile").read_text()
    install = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py compilemessages" in install
    if not (root / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--", "*.mo"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles_from_its_po_file_alone(language, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext is not installed")
    compiled = tmp_path / "django.mo"
    subprocess.run(
        [msgfmt, "--check-format", "-o", compiled, catalogue_path(language)],
        check=True,
        capture_output=True,
    )
    with compiled.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)
    entries = parse_po(catalogue_path(language).read_text())
    for entry in entries:
        if not entry.is_header and entry.msgid_plural is None and entry.msgctxt is None:
            assert catalogue.gettext(entry.msgid) == entry.msgstr[0]
