"""docs/rules.md, the register of rules, stays true to the data and the tests."""

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REGISTER = ROOT / "docs" / "rules.md"
DATA = ROOT / "sejour" / "rules" / "data"

HEADING = re.compile(r"^### ([A-Z0-9]+(?:-[A-Z0-9]+)*) — (.+)$")
FIELD = re.compile(r"^- \*\*([A-Za-z ]+):\*\* ?(.*)$")


def parse(text: str) -> dict[str, dict[str, str]]:
    """Rule id → {field name → text}; a field's text runs until the next field."""
    rules: dict[str, dict[str, str]] = {}
    current = field = None
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            rule_id = heading.group(1)
            assert rule_id not in rules, f"{rule_id} is in the register twice"
            current, field = rules.setdefault(rule_id, {"title": heading.group(2)}), None
            continue
        if line.startswith("#"):
            current = field = None
            continue
        if current is None:
            continue
        match = FIELD.match(line)
        if match:
            field = match.group(1)
            current[field] = match.group(2)
        elif field and line.startswith("  "):
            current[field] += " " + line.strip()
    return rules


@cache
def register() -> dict[str, dict[str, str]]:
    return parse(REGISTER.read_text(encoding="utf-8"))


def data_refs(text: str) -> set[tuple[str, str]]:
    """`file.json: a, b`, `other.json: c` → {(file.json, a), (file.json, b), (other.json, c)}."""
    refs = set()
    for chunk in re.findall(r"`([^`]+)`", text):
        filename, _, codes = chunk.partition(":")
        refs |= {(filename.strip(), code.strip()) for code in codes.split(",") if code.strip()}
    return refs


def row_code(filename: str, row: dict) -> str:
    """The code the loader gives a row (`rules_sync`): motive rules are named by date."""
    if filename == "motives.json":
        return f"{row['motive']}_{row['effective_from']}"
    return row["code"]


def data_rows() -> set[tuple[str, str]]:
    return {
        (path.name, row_code(path.name, row))
        for path in sorted(DATA.glob("*.json"))
        for row in json.loads(path.read_text(encoding="utf-8"))
    }


@cache
def collected_tests() -> dict[str, set[str]]:
    """Test file (relative path) → names of its test functions, from the source."""
    found = {}
    for path in (ROOT / "sejour").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[path.relative_to(ROOT).as_posix()] = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test_")
        }
    return found


def named_tests(text: str) -> list[tuple[str, str]]:
    return [tuple(ref.split("::", 1)) for ref in re.findall(r"`([^`]+::[^`]+)`", text)]


def snake(rule_id: str) -> str:
    return rule_id.lower().replace("-", "_")


# ------------------------------------------------------------------ the parser itself

SAMPLE = """# Register
### FEE-SAMPLE — A sample
- **Rule:** one line
  and its continuation.
- **Data:** `fees.json: a, b`, `figures.json: c`
- **Tests:** `sejour/x/tests/test_y.py::test_rule_fee_sample_works`
## Next part
- **Rule:** outside any entry, ignored
"""


def test_the_parser_reads_entries_fields_and_references():
    rules = parse(SAMPLE)
    assert list(rules) == ["FEE-SAMPLE"]
    entry = rules["FEE-SAMPLE"]
    assert entry["Rule"] == "one line and its continuation."
    assert data_refs(entry["Data"]) == {
        ("fees.json", "a"),
        ("fees.json", "b"),
        ("figures.json", "c"),
    }
    assert named_tests(entry["Tests"]) == [
        ("sejour/x/tests/test_y.py", "test_rule_fee_sample_works")
    ]


def test_the_parser_refuses_an_id_listed_twice():
    with pytest.raises(AssertionError, match="twice"):
        parse(SAMPLE + SAMPLE)


# ------------------------------------------------------------------ the register


def test_every_rule_in_the_data_files_has_an_entry_in_the_register():
    listed = set()
    for entry in register().values():
        listed |= data_refs(entry.get("Data", ""))
    missing = data_rows() - listed
    assert not missing, f"rows of sejour/rules/data with no entry in docs/rules.md: {missing}"
    stale = listed - data_rows()
    assert not stale, f"docs/rules.md names data rows that do not exist: {stale}"


def test_every_data_row_says_where_its_value_comes_from():
    for path in sorted(DATA.glob("*.json")):
        if path.name == "document_requirements.json":
            continue  # lists of documents: the register's entry gives their source
        for row in json.loads(path.read_text(encoding="utf-8")):
            assert row.get("source", "").strip(), (path.name, row_code(path.name, row))
            assert row.get("effective_from"), (path.name, row_code(path.name, row))


def test_every_entry_has_a_statement_a_source_code_and_tests():
    assert len(register()) >= 20
    for rule_id, entry in register().items():
        for field in ("Rule", "Source", "Code", "Tests"):
            assert entry.get(field, "").strip(), f"{rule_id} has no {field}"


def test_every_test_the_register_names_exists():
    functions = collected_tests()
    for rule_id, entry in register().items():
        refs = named_tests(entry["Tests"])
        assert refs, f"{rule_id} names no test as path::name"
        for path, name in refs:
            assert path in functions, f"{rule_id}: no test file {path}"
            assert name in functions[path], f"{rule_id}: no test {name} in {path}"


def test_every_rule_has_a_test_named_after_it():
    for rule_id, entry in register().items():
        named = [name for _, name in named_tests(entry["Tests"]) if snake(rule_id) in name]
        assert named, f"{rule_id}: no listed test has {snake(rule_id)} in its name"


def test_every_file_the_register_names_exists():
    for rule_id, entry in register().items():
        for field in ("Code", "Data"):
            for chunk in re.findall(r"`([^`]+)`", entry.get(field, "")):
                if field == "Code" and "/" not in chunk:
                    continue  # a function or constant named beside its file
                if field == "Data":
                    chunk = "sejour/rules/data/" + chunk.partition(":")[0].strip()
                assert (ROOT / chunk).exists(), f"{rule_id}: {chunk} does not exist"


def test_the_readme_links_the_register():
    assert "docs/rules.md" in (ROOT / "README.md").read_text(encoding="utf-8")
