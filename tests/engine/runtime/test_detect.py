"""Detecting declared Python versions, and the versions a project targets."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.model import Location
from pysteward.engine.observer import Observer
from pysteward.engine.runtime import (
    DeclarationKind,
    RangeDeclaration,
    ReleaseCycle,
    RuntimeDeclaration,
    VersionDeclaration,
    admits_minor,
    detect_runtimes,
    parse_python_version,
    parse_specifier,
    target_versions,
)

ASSETS = Path(__file__).parent / "assets"
FULL = ASSETS / "full"
TODAY = date(2026, 11, 22)
K = DeclarationKind


def _summary(declarations: object, kind: DeclarationKind) -> list[tuple[str, int | None, str, str]]:
    """(file, line, text, meaning) of each declaration of `kind`; meaning is `impl version` or a specifier."""
    rows = []
    for d in declarations:  # type: ignore[attr-defined]
        if d.kind is not kind:
            continue
        if isinstance(d, VersionDeclaration):
            meaning = f"{d.implementation} {d.version}"
        else:
            assert isinstance(d, RangeDeclaration)
            meaning = str(d.specifier)
        rows.append((d.location.path.relative_to(FULL).as_posix(), d.location.line, d.text, meaning))
    return rows


@pytest.fixture(scope="module")
def found() -> tuple[RuntimeDeclaration, ...]:
    scan = detect_runtimes(FULL)
    assert scan.warnings == ()
    return scan.declarations


def test_it_reads_requires_python_and_classifiers_from_pyproject(
    found: tuple[RuntimeDeclaration, ...],
) -> None:
    assert _summary(found, K.REQUIRES_PYTHON) == [("pyproject.toml", 4, ">=3.10", ">=3.10")]
    classifiers = [row for row in _summary(found, K.CLASSIFIER) if row[0] == "pyproject.toml"]
    assert classifiers == [
        ("pyproject.toml", 7, "3.10", "cpython 3.10"),
        ("pyproject.toml", 8, "3.11", "cpython 3.11"),
    ]


def test_it_converts_poetry_caret_tilde_and_alternatives(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.POETRY) == [
        ("pyproject.toml", 13, "^3.10", "<4,>=3.10"),
        ("pyproject.toml", 13, "~2.7", "<2.8,>=2.7"),
    ]


def test_it_reads_every_line_of_python_version_and_ignores_system(
    found: tuple[RuntimeDeclaration, ...],
) -> None:
    assert _summary(found, K.PYTHON_VERSION_FILE) == [
        (".python-version", 2, "3.12.1", "cpython 3.12.1"),
        (".python-version", 3, "3.11", "cpython 3.11"),
        (".python-version", 4, "pypy3.10", "pypy 3.10"),
    ]


def test_it_reads_runtime_txt_and_pipfile(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.RUNTIME_TXT) == [("runtime.txt", 1, "python-3.11.4", "cpython 3.11.4")]
    assert _summary(found, K.PIPFILE) == [("Pipfile", 5, "3.11", "cpython 3.11")]


def test_it_reads_setup_cfg_and_setup_py_without_running_them(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.SETUP_CFG) == [("setup.cfg", 7, ">=3.9", ">=3.9")]
    assert _summary(found, K.SETUP_PY) == [("setup.py", 5, ">=3.8, <4", "<4,>=3.8")]
    classifiers = [row for row in _summary(found, K.CLASSIFIER) if row[0] != "pyproject.toml"]
    assert classifiers == [
        ("setup.cfg", 4, "3.9", "cpython 3.9"),
        ("setup.py", 6, "3.8", "cpython 3.8"),
    ]


def test_it_expands_tox_envlists(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.TOX) == [
        ("tox.ini", 3, "py38", "cpython 3.8"),
        ("tox.ini", 3, "py39", "cpython 3.9"),
        ("tox.ini", 3, "py310", "cpython 3.10"),
        ("tox.ini", 3, "py311", "cpython 3.11"),
        ("tox.ini", 4, "py312", "cpython 3.12"),
        ("tox.ini", 5, "pypy310", "pypy 3.10"),
    ]


def test_it_reads_the_conda_python_pin_and_not_python_dateutil(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.CONDA) == [("environment.yml", 5, "conda-forge::python=3.10", "cpython 3.10")]


def test_it_reads_every_dockerfile_stage_with_args_registries_and_digests(
    found: tuple[RuntimeDeclaration, ...],
) -> None:
    digest = "0" * 64
    assert _summary(found, K.DOCKERFILE) == [
        ("Dockerfile", 5, "python:3.11-slim", "cpython 3.11"),
        ("Dockerfile", 8, f"docker.io/library/python:3.12.1-alpine@sha256:{digest}", "cpython 3.12.1"),
        ("Dockerfile", 11, "registry.invalid:5000/library/python:3.10", "cpython 3.10"),
        ("docker/Dockerfile.dev", 1, "pypy:3.10-slim", "pypy 3.10"),
        ("docker/app.dockerfile", 1, "ghcr.invalid/astral-sh/uv:python3.13-bookworm-slim", "cpython 3.13"),
    ]


def test_it_reads_github_actions_matrices_steps_and_containers(found: tuple[RuntimeDeclaration, ...]) -> None:
    workflow = ".github/workflows/ci.yml"
    assert _summary(found, K.GITHUB_ACTIONS) == [
        (workflow, 11, "3.9", "cpython 3.9"),
        (workflow, 12, "3.10", "cpython 3.10"),
        (workflow, 14, "3.13", "cpython 3.13"),
        (workflow, 4, "3.12", "cpython 3.12"),
        (workflow, 32, "3.8", "cpython 3.8"),
        (workflow, 33, "pypy-3.9", "pypy 3.9"),
        (workflow, 27, "python:3.11-slim", "cpython 3.11"),
        (workflow, 38, "3.14", "cpython 3.14"),
    ]


def test_it_reads_gitlab_images_anchors_and_matrix_variables(found: tuple[RuntimeDeclaration, ...]) -> None:
    assert _summary(found, K.GITLAB_CI) == [
        (".gitlab-ci.yml", 1, "python:3.11", "cpython 3.11"),
        (".gitlab-ci.yml", 7, "python:3.12-slim", "cpython 3.12"),
        (".gitlab-ci.yml", 17, "3.9", "cpython 3.9"),
        (".gitlab-ci.yml", 17, "3.10", "cpython 3.10"),
    ]


class Recorder(Observer):
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [
        ("pyproject.toml", 1, "invalid TOML"),
        ("Pipfile", 1, "invalid TOML"),
        ("setup.cfg", 1, "invalid setup.cfg"),
        ("setup.py", 1, "not a python version specifier: 'not a spec'"),
        (".python-version", 2, "not a python version: 'miniconda3-4.7.12'"),
        ("runtime.txt", 1, "expected python-X.Y.Z, found 'java-17'"),
        ("tox.ini", 2, "unbalanced braces in tox env 'py3{9,10'"),
        ("environment.yml", 2, "invalid YAML"),
        (".gitlab-ci.yml", 1, "cannot resolve UNSET_VERSION"),
        ("Dockerfile", 1, "cannot resolve PYTHON_VERSION"),
        ("Dockerfile", 2, "python image without a version tag"),
        ("Dockerfile", 3, "FROM without an image"),
        (".github/workflows/broken.yml", 4, "invalid YAML"),
        (".github/workflows/unresolved.yml", 5, "cannot resolve the expression '${{ fromJSON("),
        (".github/workflows/unresolved.yml", 9, "cannot resolve the expression '${{ matrix.nothing }}'"),
        (".github/workflows/unresolved.yml", 12, "not a python version: 'latest-ish'"),
    ],
)
def test_malformed_files_give_warnings_not_crashes(
    file: str, line: int, message: str, tmp_path: Path
) -> None:
    observer = Recorder()
    project = tmp_path / "malformed"
    shutil.copytree(ASSETS / "malformed", project)
    # Kept out of the assets: ruff reads every pyproject.toml in the tree as possible configuration.
    (project / "pyproject.toml").write_text('[project\nname = "x"\n')
    scan = detect_runtimes(project, observer=observer)
    prefix = f"{Location(project / file, line)}: "
    assert any(w.startswith(prefix) and message in w for w in scan.warnings), scan.warnings
    assert observer.warnings == list(scan.warnings)
    # What can still be read is read.
    assert [d.text for d in scan] == ["3.12"]


def test_binary_and_missing_projects_give_warnings(tmp_path: Path) -> None:
    (tmp_path / "runtime.txt").write_bytes(b"python-3.11\x00\x01")
    scan = detect_runtimes(tmp_path)
    assert len(scan) == 0
    assert scan.warnings == (f"{tmp_path / 'runtime.txt'}: not a text file (it contains NUL bytes)",)
    missing = detect_runtimes(tmp_path / "nowhere")
    assert missing.warnings == (f"{tmp_path / 'nowhere'}: not a directory",)


def test_dockerfiles_in_skipped_or_deep_directories_are_not_read(tmp_path: Path) -> None:
    for folder in ("node_modules/x", ".venv", "a/b/c/d/e", "a/b/c/d"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "Dockerfile").write_text("FROM python:3.9\n")
    scan = detect_runtimes(tmp_path)
    assert [d.location.path.relative_to(tmp_path).as_posix() for d in scan] == ["a/b/c/d/Dockerfile"]


def test_a_dockerfile_arg_without_default_uses_the_inline_default(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        'ARG PY\nARG OTHER="3.8" PY2=3.7\nFROM python:${PY:-3.13}-slim\nFROM python:$PY2\n'
        "# a comment\nFROM --platform=$BUILDPLATFORM python:${OTHER}\n"
    )
    scan = detect_runtimes(tmp_path)
    assert [(d.location.line, d.text) for d in scan] == [
        (3, "python:3.13-slim"),
        (4, "python:3.7"),
        (6, "python:3.8"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3.12", ("cpython", Version("3.12"))),
        ("3.12.1", ("cpython", Version("3.12.1"))),
        ("3", ("cpython", SpecifierSet("==3.*"))),
        ("3.x", ("cpython", SpecifierSet("==3.*"))),
        ("3.12.x", ("cpython", Version("3.12"))),
        ("3.13t", ("cpython", Version("3.13"))),
        ("3.14-dev", ("cpython", Version("3.14"))),
        ("3.13.0-beta.1", ("cpython", Version("3.13.0"))),
        ("pypy3.10", ("pypy", Version("3.10"))),
        ("pypy-3.9", ("pypy", Version("3.9"))),
        ("cpython@3.12", ("cpython", Version("3.12"))),
        ("'2.7'", ("cpython", Version("2.7"))),
        (">=3.9", ("cpython", SpecifierSet(">=3.9"))),
        ("latest", None),
        ("graalpy-24.0", None),
        ("17", None),
        (">=what", None),
    ],
)
def test_it_parses_the_ways_a_python_version_is_written(
    text: str, expected: tuple[str, object] | None
) -> None:
    assert parse_python_version(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("^3.10", ">=3.10,<4"),
        ("^3.10.2", ">=3.10.2,<4"),
        ("~3.10", ">=3.10,<3.11"),
        ("~3.10.2", ">=3.10.2,<3.11"),
        ("~3", ">=3,<4"),
        ("^0.5", ">=0.5,<0.6"),
        (">=3.9 <3.13", ">=3.9,<3.13"),
        ("3.11.*", "==3.11.*"),
        ("*", ""),
        ("~=3.10", "~=3.10"),
    ],
)
def test_it_converts_poetry_constraints(text: str, expected: str) -> None:
    assert parse_specifier(text) == SpecifierSet(expected)


@pytest.mark.parametrize("text", ["^three", ">>3", "not a spec"])
def test_it_rejects_nonsense_constraints(text: str) -> None:
    assert parse_specifier(text) is None


def test_tox_factor_expansion_handles_products_and_ranges(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text(
        "[testenv]\nenvlist = py27\n[tox]\nenv_list = py{38,39}-django{32,42}, py3{10-12}, py3, docs\n"
    )
    scan = detect_runtimes(tmp_path)
    assert [(d.location.line, d.text) for d in scan] == [
        (4, "py38"),
        (4, "py39"),
        (4, "py310"),
        (4, "py311"),
        (4, "py312"),
        (4, "py3"),
    ]
    assert isinstance(scan.declarations[-1], RangeDeclaration)


def test_conda_pins_come_in_several_forms(tmp_path: Path) -> None:
    (tmp_path / "environment.yaml").write_text(
        "dependencies:\n  - python==3.11.4\n  - python>=3.9,<3.12\n  - python 3.10.*\n"
        "  - python=3.12=h123_0_cpython\n  - python\n"
    )
    scan = detect_runtimes(tmp_path)
    meanings = [getattr(d, "version", None) or getattr(d, "specifier", None) for d in scan]
    assert meanings == [Version("3.11.4"), SpecifierSet(">=3.9,<3.12"), Version("3.10"), Version("3.12")]


def test_a_python_version_scalar_written_as_a_float_keeps_its_text(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yaml").write_text(
        "jobs:\n  a:\n    steps:\n      - with:\n          python-version: 3.10\n"
        "  b:\n    container:\n      image: python:${{ matrix.v }}\n    strategy:\n      matrix:\n"
        "        v: ['3.8']\n"
    )
    scan = detect_runtimes(tmp_path)
    assert [(d.location.line, d.text) for d in scan] == [(5, "3.10"), (11, "python:3.8")]


def _version(text: str, kind: DeclarationKind = K.DOCKERFILE) -> VersionDeclaration:
    return VersionDeclaration(kind=kind, text=text, location=Location(Path("x")), version=Version(text))


def _range(text: str, kind: DeclarationKind = K.REQUIRES_PYTHON) -> RangeDeclaration:
    return RangeDeclaration(kind=kind, text=text, location=Location(Path("x")), specifier=SpecifierSet(text))


def test_target_versions_join_exact_versions_and_released_versions_in_each_range() -> None:
    cycle = ReleaseCycle.load()
    assert target_versions([_version("3.8.10"), _range(">=3.13")], cycle, TODAY) == (
        "3.8",
        "3.13",
        "3.14",
        "3.15",
    )
    # Before 3.15's beta it is not targeted; after its beta it is (as a prerelease).
    assert target_versions([_range(">=3.13")], cycle, date(2026, 5, 1)) == ("3.13", "3.14")
    assert target_versions([_range(">=3.13")], cycle, date(2026, 5, 8)) == ("3.13", "3.14", "3.15")
    assert target_versions([_range(">=3.12.3,<3.14")], cycle, TODAY) == ("3.12", "3.13")
    assert target_versions([_range("==3.11.4")], cycle, TODAY) == ("3.11",)
    assert target_versions([_version("2.7")], cycle, TODAY) == ("2.7",)


def test_without_declarations_the_targets_are_the_released_versions_not_yet_end_of_life() -> None:
    cycle = ReleaseCycle.load()
    assert target_versions([], cycle, TODAY) == ("3.11", "3.12", "3.13", "3.14", "3.15")
    assert target_versions([], cycle, date(2026, 9, 1)) == ("3.10", "3.11", "3.12", "3.13", "3.14", "3.15")


def test_admits_minor_asks_whether_any_release_of_a_minor_matches() -> None:
    assert admits_minor(SpecifierSet(">=3.12.1"), "3.12")
    assert admits_minor(SpecifierSet("<3.12.5"), "3.12")
    assert admits_minor(SpecifierSet("==3.12.7"), "3.12")
    assert not admits_minor(SpecifierSet("!=3.12.*"), "3.12")
    assert not admits_minor(SpecifierSet(">=3.13"), "3.12")
