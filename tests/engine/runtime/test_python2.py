"""Python-2-only source code and projects pinned to Python 2.

The Python 2 sources are written to a temporary directory by the tests rather than kept as asset
files, so linters and type checkers never see them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.model import Location
from pysteward.engine.runtime import (
    DeclarationKind,
    Python2Construct,
    RangeDeclaration,
    RuntimeDeclaration,
    VersionDeclaration,
    find_python2_code,
    pins_python2,
)
from pysteward.engine.runtime import python2 as python2_module

C = Python2Construct


@pytest.mark.parametrize(
    ("source", "line", "construct"),
    [
        ("import sys\nprint 'hello'\n", 2, C.PRINT_STATEMENT),
        ("import sys\nprint >>sys.stderr, 'x'\nx = (\n", 2, C.PRINT_STATEMENT),
        ("def f():\n    print x, y\n", 2, C.PRINT_STATEMENT),
        ("try:\n    pass\nexcept ValueError, e:\n    pass\n", 3, C.EXCEPT_COMMA),
        ("try:\n    pass\nexcept (A, B), e:\n    pass\n", 3, C.EXCEPT_COMMA),
        ("x = 1\ny = `x`\n", 2, C.BACKTICKS),
        ("if a <> b:\n    pass\n", 1, C.NOT_EQUAL_DIAMOND),
        ('exec "x = 1"\n', 1, C.EXEC_STATEMENT),
        ("exec code in namespace\n", 1, C.EXEC_STATEMENT),
        ("import os\nos.chmod(path, 0777)\n", 2, C.OCTAL_LITERAL),
        ("pattern = ur'\\d+'\n", 1, C.UR_STRING),
        ("big = 10L\n", 1, C.LONG_LITERAL),
        ("mask = 0xFFL\n", 1, C.LONG_LITERAL),
        ("raise ValueError, 'bad value'\n", 1, C.RAISE_COMMA),
    ],
)
def test_it_finds_each_python2_construct(tmp_path: Path, source: str, line: int, construct: C) -> None:
    (tmp_path / "legacy.py").write_text(source)
    evidence = find_python2_code(tmp_path, [Path("legacy.py")])
    assert len(evidence) == 1
    assert evidence[0].location == Location(tmp_path / "legacy.py", line)
    assert evidence[0].construct is construct
    assert evidence[0].text == source.splitlines()[line - 1].strip()


@pytest.mark.parametrize(
    "source",
    [
        "print('hello')\n",
        "x = 1 if a != b else 2\n",
        "print ('a'), b\n",
        "mode = 0o777\nzero = 00\nf = 0.5\n",
        "try:\n    pass\nexcept (A, B) as e:\n    pass\n",
        "raise ValueError('a, b')\n",
        "s = '`print x` and a <> b and 0777 and 10L'  # print x\n",
        'doc = """\nprint x\nexcept A, e:\n"""\n',
    ],
)
def test_valid_python3_is_not_evidence(tmp_path: Path, source: str) -> None:
    (tmp_path / "modern.py").write_text(source)
    assert find_python2_code(tmp_path, [tmp_path / "modern.py"]) == ()


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n    pass\n",
        "x = (1, 2\n",
        "s = 'print x'\nif True\n    pass\n",
        "# print x\nclass:\n",
        "text = '''\nexec code\n",
    ],
)
def test_a_plain_syntax_error_is_not_evidence(tmp_path: Path, source: str) -> None:
    (tmp_path / "broken.py").write_text(source)
    assert find_python2_code(tmp_path, [Path("broken.py")]) == ()


def test_it_lists_every_construct_of_a_file_once(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_bytes(
        "# -*- coding: latin-1 -*-\nimport os\nprint 'x'\nos.chmod(p, 0755)\nprint `y`\n".encode("latin-1")
        + b"name = '\xe9'\n"
    )
    (evidence,) = find_python2_code(tmp_path, [Path("old.py")])
    assert evidence.location.line == 3
    assert evidence.constructs == (C.PRINT_STATEMENT, C.OCTAL_LITERAL, C.BACKTICKS)


def test_it_skips_non_python_missing_binary_and_huge_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes.txt").write_text("print 'x'\n")
    (tmp_path / "binary.py").write_bytes(b"print 'x'\x00\n")
    (tmp_path / "huge.py").write_text("print 'x'\n" + "#" * 200)
    monkeypatch.setattr(python2_module, "MAX_FILE_BYTES", 100)
    files = [Path("notes.txt"), Path("binary.py"), Path("huge.py"), Path("missing.py")]
    assert find_python2_code(tmp_path, files) == ()


def test_it_stops_after_the_file_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(5):
        (tmp_path / f"m{number}.py").write_text("print 'x'\n")
    monkeypatch.setattr(python2_module, "MAX_FILES", 3)
    files = sorted(tmp_path.glob("*.py"))
    assert [e.location.path.name for e in find_python2_code(tmp_path, files)] == ["m0.py", "m1.py", "m2.py"]


def test_compiling_never_runs_code_and_ignores_syntax_warnings(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    (tmp_path / "side_effect.py").write_text(f"open({str(marker)!r}, 'w')\npattern = '\\d'\n")
    assert find_python2_code(tmp_path, [Path("side_effect.py")]) == ()
    assert not marker.exists()


def _version(text: str, kind: DeclarationKind) -> VersionDeclaration:
    return VersionDeclaration(
        kind=kind, text=text, location=Location(Path(kind.value)), version=Version(text)
    )


def _range(text: str, kind: DeclarationKind = DeclarationKind.REQUIRES_PYTHON) -> RangeDeclaration:
    return RangeDeclaration(
        kind=kind, text=text, location=Location(Path(kind.value)), specifier=SpecifierSet(text)
    )


K = DeclarationKind


@pytest.mark.parametrize(
    ("declarations", "pinned"),
    [
        ([_version("2.7.18", K.RUNTIME_TXT)], True),
        ([_range("<3")], True),
        ([_range("==2.7.*")], True),
        ([_range(">=2.7,<3"), _version("2.7", K.CLASSIFIER)], True),
        ([_version("2.7", K.TOX), _version("2.6", K.TOX)], True),
        # A runtime source pinned to 2.x wins over a classifier that also lists 3.x.
        ([_version("2.7", K.DOCKERFILE), _version("3.6", K.CLASSIFIER)], True),
        # A test matrix that includes 2.7 next to 3.x is support, not a pin.
        ([_version("2.7", K.TOX), _version("3.9", K.TOX)], False),
        ([_range(">=2.7")], False),
        ([_range("<4")], False),
        ([_version("3.12", K.RUNTIME_TXT)], False),
        ([], False),
    ],
)
def test_a_project_pinned_to_python2_is_recognised(
    declarations: list[RuntimeDeclaration], pinned: bool
) -> None:
    assert pins_python2(declarations) is pinned
