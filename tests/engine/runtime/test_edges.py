"""Edge cases of runtime detection, the release cycle and Python 2 detection (one failure mode each)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from pysteward.engine.model import Location
from pysteward.engine.runtime import (
    CycleEntry,
    DeclarationKind,
    ReleaseCycle,
    ReleaseCycleError,
    ReleaseStatus,
    RuntimeDeclaration,
    _collect,
    admits_minor,
    detect_runtimes,
    find_python2_code,
    pins_python2,
    target_versions,
    update_release_cycle,
)
from pysteward.engine.runtime import detect as detect_module
from pysteward.engine.runtime import python2 as python2_module
from pysteward.engine.runtime.cycle import TABLE_NAME
from tests.httpserver import serve


def _write(root: Path, name: str, text: str | bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _texts(root: Path) -> list[tuple[int | None, str]]:
    return [(d.location.line, d.text) for d in detect_runtimes(root)]


def test_an_entry_without_a_feature_freeze_or_bugfix_date_uses_its_published_status() -> None:
    entry = CycleEntry(
        version="3.20",
        first_release=date(2031, 10, 1),
        end_of_life=date(2036, 10, 1),
        published_status=ReleaseStatus.SECURITY,
    )
    assert entry.status_on(date(2031, 1, 1)) is ReleaseStatus.FEATURE
    assert entry.status_on(date(2032, 1, 1)) is ReleaseStatus.SECURITY
    plain = CycleEntry(version="3.20", first_release=date(2031, 10, 1), end_of_life=date(2036, 10, 1))
    assert plain.status_on(date(2032, 1, 1)) is ReleaseStatus.BUGFIX


def test_every_unreadable_file_is_a_warning(tmp_path: Path) -> None:
    binary = b"\x00\x01binary"
    for name in ("pyproject.toml", "setup.cfg", "setup.py", "tox.ini", ".gitlab-ci.yml", "Dockerfile"):
        _write(tmp_path, name, binary)
    scan = detect_runtimes(tmp_path)
    assert len(scan) == 0
    assert len(scan.warnings) == 6
    assert all("not a text file" in warning for warning in scan.warnings)


def test_an_oversized_or_failing_file_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "runtime.txt", "python-3.11\n")
    monkeypatch.setattr(_collect, "MAX_BYTES", 4)
    assert detect_runtimes(tmp_path).warnings == (f"{tmp_path / 'runtime.txt'}: skipped: larger than 0 MiB",)
    monkeypatch.setattr(_collect, "MAX_BYTES", 1024)

    def failing(path: Path) -> str:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_collect, "read_text", failing)
    assert detect_runtimes(tmp_path).warnings == (
        f"{tmp_path / 'runtime.txt'}: cannot read: Input/output error",
    )


def test_files_without_python_settings_declare_nothing(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n[tool.poetry.dependencies]\nrequests = "*"\n')
    _write(tmp_path, "setup.cfg", "[metadata]\nname = x\n")
    _write(tmp_path, "runtime.txt", "\n\n")
    _write(tmp_path, ".github/workflows/ci.yml", "jobs:\n  a:\n    steps:\n      - run: pytest\n")
    _write(tmp_path, ".github/workflows/README.md", "python-version: 3.8\n")
    _write(
        tmp_path, ".gitlab-ci.yml", "image: [python]\nvariables:\n  LIST: [1, 2]\njob:\n  image: node:20\n"
    )
    _write(tmp_path, "Dockerfile", "FROM $BASE_IMAGE\nRUN echo \\\n")
    assert detect_runtimes(tmp_path).declarations == ()
    assert detect_runtimes(tmp_path).warnings == ()


def test_settings_in_unusual_layouts_are_found_without_a_line(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", 'project = { name = "x", requires-python = ">=3.9" }\n')
    _write(tmp_path, "setup.py", "# classifiers = ['Programming Language :: Python :: 2.7']\n")
    assert _texts(tmp_path) == [(None, ">=3.9")]


def test_the_dockerfile_search_stops_after_the_directory_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "Dockerfile", "FROM python:3.12\n")
    _write(tmp_path, "sub/Dockerfile", "FROM python:3.11\n")
    monkeypatch.setattr(detect_module, "_MAX_DIRS", 1)
    assert _texts(tmp_path) == [(1, "python:3.12")]


def test_complex_yaml_keys_are_skipped(tmp_path: Path) -> None:
    _write(tmp_path, ".gitlab-ci.yml", "? [a, b]\n: c\nimage: python:3.12\n")
    assert _texts(tmp_path) == [(3, "python:3.12")]


def test_github_containers_resolve_matrix_values_or_warn(tmp_path: Path) -> None:
    _write(
        tmp_path,
        ".github/workflows/ci.yml",
        "jobs:\n  a:\n    container: node:20\n  b:\n    container:\n      image: python:${{ env.PY }}\n",
    )
    scan = detect_runtimes(tmp_path)
    assert scan.declarations == ()
    workflow = tmp_path / ".github/workflows/ci.yml"
    expected = f"{workflow}:6: cannot resolve the expression in 'python:${{{{ env.PY }}}}'"
    assert scan.warnings == (expected,)


def test_gitlab_images_from_other_matrix_variables_and_object_variables(tmp_path: Path) -> None:
    _write(
        tmp_path,
        ".gitlab-ci.yml",
        "variables:\n  BASE:\n    value: python\n    description: the image\n"
        "job:\n  image:\n    name: $BASE:$TAG\n  parallel:\n    matrix:\n      - TAG: ['3.11-slim', '3.12']\n"
        "        OTHER: x\n",
    )
    assert _texts(tmp_path) == [(10, "python:3.11-slim"), (10, "python:3.12")]


def test_a_stray_closing_brace_in_tox_is_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "tox.ini", "[tox]\nenvlist = py39}\n")
    assert detect_runtimes(tmp_path).warnings == (
        f"{tmp_path / 'tox.ini'}:2: unbalanced braces in tox env 'py39}}'",
    )


def test_a_base_declaration_is_neither_targeted_nor_a_python2_pin() -> None:
    base = RuntimeDeclaration(kind=DeclarationKind.TOX, text="?", location=Location(Path("tox.ini")))
    assert target_versions([base], ReleaseCycle.load(), date(2026, 11, 22)) == ()
    assert not pins_python2([base])


def test_admits_minor_ignores_arbitrary_equality_versions() -> None:
    assert not admits_minor(SpecifierSet("===foo"), "3.12")


def test_an_unreadable_python_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "old.py", "print 'x'\n")

    def failing(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", failing)
    assert find_python2_code(tmp_path, [Path("old.py")]) == ()


def test_pathologically_nested_code_is_not_evidence(tmp_path: Path) -> None:
    # `print >>f, x` parses as Python 3 too, so only the failed compile could make this evidence.
    _write(tmp_path, "deep.py", "print >>f, 'x'\nx = 1" + " + 1" * 200_000 + "\n")
    assert find_python2_code(tmp_path, [Path("deep.py")]) == ()


def test_a_file_with_an_unknown_encoding_is_still_inspected(tmp_path: Path) -> None:
    _write(tmp_path, "odd.py", "# -*- coding: klingon -*-\nprint 'x'\n")
    (evidence,) = find_python2_code(tmp_path, [Path("odd.py")])
    assert evidence.location.line == 2


def test_an_unterminated_string_ends_at_the_line_end(tmp_path: Path) -> None:
    _write(tmp_path, "open.py", "s = 'open\nprint x\n")
    (evidence,) = find_python2_code(tmp_path, [Path("open.py")])
    assert (evidence.location.line, evidence.construct) == (
        2,
        python2_module.Python2Construct.PRINT_STATEMENT,
    )


def test_an_escaped_quote_does_not_end_a_string(tmp_path: Path) -> None:
    _write(tmp_path, "esc.py", "s = 'it\\'s print x'\nif a <> b: pass\n")
    (evidence,) = find_python2_code(tmp_path, [Path("esc.py")])
    assert evidence.location.line == 2
    assert evidence.constructs == (python2_module.Python2Construct.NOT_EQUAL_DIAMOND,)


def test_a_table_that_cannot_be_written_is_an_operational_error(
    tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = (shared_data / "cpython-release-cycle-peps-derived.json").read_bytes()
    original = Path.replace

    def failing(self: Path, target: Path) -> Path:
        if Path(target).name == TABLE_NAME:
            raise PermissionError(13, "Permission denied")
        return original(self, target)

    monkeypatch.setattr(Path, "replace", failing)
    with serve({"/rc.json": body}) as server, pytest.raises(ReleaseCycleError, match="cannot write"):
        update_release_cycle(tmp_path, server.url("/rc.json"))
    assert not (tmp_path / TABLE_NAME).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
