"""The floors of the code (docs/architecture.md): every import points down, never up.

    core → branches → members → assessments → funding → portal (the shell) → devtools

`core` is the kernel (app label "portal"), `portal` the project shell, `devtools` the demo zone and the
benchmarks, which nothing imports. Imports inside functions count too: a function-level import is not a
way round a floor. Read from the source with `ast`, so a test fails the moment an arrow points up.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ["core", "branches", "members", "assessments", "funding", "portal", "devtools"]


def _imports(path: Path):
    """(line, imported module) for every absolute and relative import in the file."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield node.lineno, ".".join(base + ([node.module] if node.module else []))
            else:
                yield node.lineno, node.module


def _sources(floor: str):
    return sorted(p for p in (ROOT / floor).rglob("*.py") if "migrations" not in p.parts)


def arrows_up() -> list[str]:
    found = []
    for floor in FLOORS:
        for path in _sources(floor):
            for line, module in _imports(path):
                target = module.split(".")[0]
                if target in FLOORS and FLOORS.index(target) > FLOORS.index(floor):
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({floor} is below {target})")
    return found


def test_every_import_points_down():
    assert arrows_up() == []


def test_the_check_sees_an_arrow_up(tmp_path, monkeypatch):
    """The check itself: a kernel module importing a domain app is reported."""
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "bad.py").write_text("def f():\n    from members.models import Member\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert arrows_up() == ["core/bad.py:2 imports members.models (core is below members)"]


def test_rules_stand_below_the_engine():
    """Inside the compliance package: the rules and their base never import the engine or the catalogue
    (the catalogue imports the rules; the engine imports the catalogue)."""
    paths = [ROOT / "assessments" / "compliance" / "base.py"]
    paths += sorted((ROOT / "assessments" / "compliance").glob("rules_*.py"))
    for path in paths:
        for line, imported in _imports(path):
            assert imported not in {"assessments.compliance.engine", "assessments.compliance.catalogue"}, (
                f"{path.name}:{line}"
            )


def test_subtrees_are_read_through_scoping_only():
    """ "Is it under this organisation" is one prefix match on the materialised path, written once in
    core/scoping.py (`for_user`, `subtree`); migrations keep their own (they must not import app code)."""
    raw = [
        f"{path.relative_to(ROOT)}:{number}"
        for floor in FLOORS
        for path in _sources(floor)
        if path.relative_to(ROOT).as_posix() != "core/scoping.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "path__startswith" in line
    ]
    assert raw == []
