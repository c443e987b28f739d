"""The repository carries its own sources (issue 15): the opinion, its clause catalogue and the glossary
live in docs/, stay equal to the shared copies where those sit beside the repository, and every clause ID
the code cites is in docs/clauses.md. No test reads an absolute path."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from assessments.compliance.catalogue import RULES

ROOT = Path(settings.BASE_DIR)
DOCS = ROOT / "docs"
SHARED = ROOT.parent / "shared"
# docs/ file -> its counterpart under ../shared.
COPIES = {
    "opinion-2015.txt": Path("policy") / "opinion-2015.txt",
    "clauses.md": Path("policy") / "clauses.md",
    "glossary.md": Path("glossary.md"),
}
# The packages of the product (tests and the virtualenv aside) whose code cites clause IDs.
PRODUCT = ("portal", "branches", "members", "assessments", "funding")
CLAUSE_ID = re.compile(r"(?<![\w-])([QFSN]-[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)(?![\w-])")


def _catalogue_ids() -> set[str]:
    """The IDs of docs/clauses.md: the first cell of each table row."""
    text = (DOCS / "clauses.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| ([QFSN]-[A-Z0-9-]+) \|", text, flags=re.MULTILINE))


@pytest.mark.parametrize("name", sorted(COPIES))
def test_docs_copy_equals_shared(name):
    shared = SHARED / COPIES[name]
    if not shared.exists():
        pytest.skip(f"{shared} is absent (a clone on its own): nothing to compare docs/{name} with")
    assert (DOCS / name).read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COPIES))
def test_docs_file_present_and_not_empty(name):
    assert (DOCS / name).read_text(encoding="utf-8").strip() != ""


def test_docs_architecture_names_every_floor():
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert [
        floor
        for floor in ("core/", "branches", "members", "assessments", "funding", "portal/", "devtools/")
        if f"`{floor}" not in text
    ] == []


def test_catalogue_parsed():
    ids = _catalogue_ids()
    # Q- duties of both editions, F- formulas, S- structures, N- national rules.
    assert {"Q-WEAK-VILLAGE", "Q-LIFE-MEETING", "F-WELFARE-FUND", "S-HIERARCHY", "N-MEETINGS"} <= ids


def test_every_rule_clause_is_in_the_catalogue():
    assert sorted(clause for clause in RULES if clause not in _catalogue_ids()) == []
    assert [rule.clause for key, rule in RULES.items() if rule.clause != key] == []


def test_every_clause_id_the_code_cites_is_in_the_catalogue():
    ids = _catalogue_ids()
    cited = {}
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            for clause in CLAUSE_ID.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(clause, str(path.relative_to(ROOT)))
    assert len(cited) > 30
    assert {clause: where for clause, where in cited.items() if clause not in ids} == {}


def test_every_opinion_rule_quotes_the_opinion():
    """Each Q- rule's sentence is the opinion's own words (the N- rules quote the national rules)."""
    opinion = (DOCS / "opinion-2015.txt").read_text(encoding="utf-8")
    misquoted = [
        (clause, piece)
        for clause, rule in RULES.items()
        if not clause.startswith("N-")
        for piece in (part.strip() for part in rule.sentence.split("。"))
        if piece and piece not in opinion
    ]
    assert misquoted == []
