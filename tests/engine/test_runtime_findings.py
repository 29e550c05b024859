"""Judging a project's Pythons: end-of-life and nearly end-of-life runtimes, ranges, Python 2."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from pysteward.engine import runtime_findings
from pysteward.engine.config import Config
from pysteward.engine.findings import Finding, Python2Finding, RuntimeFinding
from pysteward.engine.model import Location, Manifest, Severity
from pysteward.engine.project import ProjectInput
from pysteward.engine.runtime import DeclarationKind, ReleaseCycle, RuntimeDeclaration
from pysteward.engine.runtime_findings import judge_runtimes

ON = date(2026, 11, 22)
CYCLE = ReleaseCycle.load()
WORKFLOW = """\
jobs:
  test:
    strategy:
      matrix:
        python-version: [{versions}]
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{{{ matrix.python-version }}}}
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def judge(
    root: Path,
    *manifests: Manifest,
    config: Config | None = None,
    sources: tuple[Path, ...] = (),
    detect: bool = True,
) -> runtime_findings.RuntimeJudgement:
    item = ProjectInput(root, manifests, sources, detect=detect)
    return judge_runtimes(item, config=config or Config(), cycle=CYCLE, on=ON)


def runtime(findings: tuple[Finding, ...]) -> list[tuple[str, Severity, str]]:
    return [(f.python, f.severity, f.rule) for f in findings if isinstance(f, RuntimeFinding)]


def test_an_end_of_life_python_in_a_dockerfile_is_high(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": "FROM python:3.8-slim\n"})
    [finding] = judge(tmp_path).findings
    assert isinstance(finding, RuntimeFinding)
    assert (finding.python, finding.severity, finding.rule) == ("3.8", Severity.HIGH, "steward/runtime-eol")
    assert finding.title == "Python 3.8 reached end of life on 2024-10-07; declared by dockerfile"
    assert finding.locations == (Location(tmp_path / "Dockerfile", 1),)
    assert (finding.end_of_life, finding.approximate) == (date(2024, 10, 7), False)
    assert finding.days_left is not None and finding.days_left < 0


def test_an_end_of_life_python_in_a_ci_matrix_is_low(tmp_path: Path) -> None:
    write(tmp_path, {".github/workflows/ci.yml": WORKFLOW.format(versions='"3.9", "3.13"')})
    judgement = judge(tmp_path)
    assert runtime(judgement.findings) == [("3.9", Severity.LOW, "steward/runtime-eol")]
    assert "declared by github-actions" in judgement.findings[0].title


def test_a_requires_python_that_admits_only_end_of_life_pythons_is_high(tmp_path: Path) -> None:
    write(
        tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.6,<3.9"\n'}
    )
    [finding] = judge(tmp_path).findings
    assert isinstance(finding, RuntimeFinding)
    assert (finding.python, finding.severity) == ("3.8", Severity.HIGH)
    assert finding.title.startswith("requires-python >=3.6,<3.9 admits only end-of-life Pythons (newest: 3.8")


@pytest.mark.parametrize("spec", [">=3.9", ">=4"])
def test_a_range_that_admits_a_supported_python_or_none_at_all_is_no_finding(
    tmp_path: Path, spec: str
) -> None:
    write(tmp_path, {"pyproject.toml": f'[project]\nname = "x"\nversion = "1"\nrequires-python = "{spec}"\n'})
    assert judge(tmp_path).findings == ()


def test_a_runtime_within_the_warning_window_is_medium_and_a_supported_one_info(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"Dockerfile": "FROM python:3.11\n", ".github/workflows/ci.yml": WORKFLOW.format(versions='"3.11"')},
    )
    judgement = judge(tmp_path, config=Config(eol_warning_days=400))
    assert runtime(judgement.findings) == [
        ("3.11", Severity.INFO, "steward/runtime-eol-soon"),
        ("3.11", Severity.MEDIUM, "steward/runtime-eol-soon"),
    ]
    medium = judgement.findings[1]
    assert isinstance(medium, RuntimeFinding)
    assert medium.approximate
    assert medium.title.startswith("Python 3.11 reaches end of life on 2027-10 (month only) (")
    assert judge(tmp_path).findings == ()


def test_other_interpreters_unknown_versions_and_python_2_give_no_end_of_life_finding(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": "FROM pypy:3.8\nFROM python:3.99\n"})
    judgement = judge(tmp_path)
    assert judgement.findings == ()


def test_a_python_2_pin_and_python_2_syntax_are_both_reported(tmp_path: Path) -> None:
    write(tmp_path, {".python-version": "2.7.18\n", "app.py": 'print "hello"\n', "ok.py": "x = 1\n"})
    judgement = judge(tmp_path, sources=(tmp_path / "app.py", tmp_path / "ok.py", tmp_path / "notes.txt"))
    pinned, syntax = judgement.findings
    assert isinstance(pinned, Python2Finding) and isinstance(syntax, Python2Finding)
    assert (pinned.rule, pinned.evidence, pinned.severity) == (
        "steward/python2",
        "declaration",
        Severity.HIGH,
    )
    assert (pinned.kind, syntax.kind) == ("python2", "python2")
    assert pinned.locations == (Location(tmp_path / ".python-version", 1),)
    assert (syntax.rule, syntax.evidence) == ("steward/python2-syntax", "source")
    assert syntax.title.startswith("1 source files use Python-2-only syntax (")
    assert [location.path.name for location in syntax.locations] == ["app.py"]


def test_a_python_2_range_is_located_at_its_declaration(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = "<3"\n'})
    [finding] = judge(tmp_path).findings
    assert isinstance(finding, Python2Finding)
    assert finding.locations == (Location(tmp_path / "pyproject.toml", 4),)


def test_an_installed_environment_is_judged_as_a_runtime_without_scanning_its_directory(
    tmp_path: Path,
) -> None:
    write(tmp_path, {"Dockerfile": "FROM python:3.9\n"})
    env = Manifest(
        path=tmp_path / "venv",
        kind="installed",
        dependencies=(),
        is_lock=True,
        python_requires=SpecifierSet("==3.8.10"),
    )
    judgement = judge(tmp_path, env, detect=False)
    assert runtime(judgement.findings) == [("3.8", Severity.HIGH, "steward/runtime-eol")]
    assert "declared by installed" in judgement.findings[0].title
    assert judgement.pythons == ("3.8",)
    [version] = judgement.versions
    assert (version.python, version.status, version.sources) == ("3.8", "end-of-life", ("installed",))
    assert version.declared_by == (Location(tmp_path / "venv"),)


def test_a_lockfile_requires_python_is_a_range_declaration_unless_already_detected(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.12"\n'})
    lock = Manifest(
        path=tmp_path / "uv.lock",
        kind="uv.lock",
        dependencies=(),
        is_lock=True,
        python_requires=SpecifierSet("<3.8"),
    )
    pyproject = Manifest(
        path=tmp_path / "pyproject.toml",
        kind="pyproject",
        dependencies=(),
        python_requires=SpecifierSet(">=3.12"),
    )
    plain = Manifest(path=tmp_path / "requirements.txt", kind="requirements", dependencies=())
    judgement = judge(tmp_path, lock, pyproject, plain)
    [finding] = judgement.findings
    assert finding.locations == (Location(tmp_path / "uv.lock"),)
    assert "requires-python <3.8 admits only end-of-life Pythons" in finding.title


def test_an_arbitrary_equality_python_is_kept_as_a_range(tmp_path: Path) -> None:
    odd = Manifest(
        path=tmp_path / "uv.lock", kind="uv.lock", dependencies=(), python_requires=SpecifierSet("===foo")
    )
    wildcard = Manifest(
        path=tmp_path / "pdm.lock", kind="pdm.lock", dependencies=(), python_requires=SpecifierSet("==3.8.*")
    )
    judgement = judge(tmp_path, odd, wildcard, detect=False)
    assert runtime(judgement.findings) == [("3.8", Severity.HIGH, "steward/runtime-eol")]


def test_configured_python_versions_replace_the_detected_targets(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"Dockerfile": "FROM python:3.12\n", "pyproject.toml": '[project]\nrequires-python = ">=3.12"\n'},
    )
    judgement = judge(tmp_path, config=Config(python_versions=("3.13", "3.99")))
    assert judgement.pythons == ("3.13", "3.99")
    by_python = {v.python: v for v in judgement.versions}
    assert by_python["3.13"].sources == ("requires-python",)
    assert by_python["3.99"].status == "unknown"
    detected = judge(tmp_path)
    assert "3.12" in detected.pythons
    assert {v.python: v.sources for v in detected.versions}["3.12"] == ("dockerfile", "requires-python")


def test_a_declaration_of_neither_variant_declares_no_python() -> None:
    bare = RuntimeDeclaration(kind=DeclarationKind.TOX, text="py3", location=Location(Path("tox.ini")))
    assert not runtime_findings._declares(bare, "3.12")
