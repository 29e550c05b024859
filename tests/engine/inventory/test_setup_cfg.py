"""SetupCfgParser: setuptools' declarative requirements."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.setup_cfg import SetupCfgParser
from pysteward.engine.model import PinnedDependency, UnpinnedDependency
from pysteward.errors import InputError, InputErrors

ASSETS = Path(__file__).parent / "assets" / "manifests" / "setup_cfg"


def leaves(group: InputErrors) -> list[InputError]:
    """The errors of a group, checking that none is itself a group."""
    errors = [error for error in group.exceptions if isinstance(error, InputError)]
    assert len(errors) == len(group.exceptions)
    return errors


def test_it_reads_multi_line_install_requires_with_lines_and_markers() -> None:
    manifest = SetupCfgParser().parse(ASSETS / "valid.cfg")
    main = [d for d in manifest.dependencies if d.scopes == ("main",)]
    assert [(d.display_name, d.location.line) for d in main] == [
        ("requests", 7),
        ("urllib3", 9),
        ("colorama", 10),
    ]
    requests, urllib3, colorama = main
    assert isinstance(requests, PinnedDependency) and requests.version == Version("2.31.0")
    assert isinstance(urllib3, UnpinnedDependency) and urllib3.specifier == SpecifierSet(">=1.26,<3")
    assert str(colorama.marker) == 'sys_platform == "win32"'
    assert manifest.python_requires == SpecifierSet(">=3.8")
    assert manifest.kind == "setup.cfg"


def test_it_scopes_extras_by_name_as_written() -> None:
    manifest = SetupCfgParser().parse(ASSETS / "valid.cfg")
    extras = [
        (d.display_name, d.scopes, d.location.line) for d in manifest.dependencies if d.scopes != ("main",)
    ]
    assert extras == [("pytest", ("test",), 13), ("coverage", ("test",), 13), ("sphinx", ("Docs",), 15)]


def test_it_splits_a_single_line_at_semicolons_but_keeps_markers() -> None:
    manifest = SetupCfgParser().parse(ASSETS / "semicolons.cfg")
    assert [d.requirement for d in manifest.dependencies] == [
        "alpha==1.0",
        "beta>=2",
        'gamma; python_version < "3.10"',
    ]
    assert {d.location.line for d in manifest.dependencies} == {2}


def test_it_warns_that_file_directives_are_not_followed() -> None:
    manifest = SetupCfgParser().parse(ASSETS / "file-directive.cfg")
    assert manifest.dependencies == ()
    assert manifest.warnings == (
        f"{ASSETS / 'file-directive.cfg'}:2: install_requires reads 'file: requirements.in'; "
        "that file is not followed",
    )


def test_it_reads_nothing_without_an_options_section() -> None:
    manifest = SetupCfgParser().parse(ASSETS / "no-options.cfg")
    assert manifest.dependencies == () and manifest.python_requires is None


@pytest.mark.parametrize(
    ("asset", "line", "message"),
    [
        ("no-section-header.cfg", 1, "a [section] header must come first"),
        ("duplicate-option.cfg", 3, "option 'install_requires' in section 'options' already exists"),
        ("garbage-line.cfg", 3, "cannot read '=just a stray line'"),
        ("invalid-requirement.cfg", 4, "invalid requirement 'bad =!= 1'"),
    ],
)
def test_it_rejects_bad_files_with_path_line_and_reason(asset: str, line: int, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        SetupCfgParser().parse(ASSETS / asset)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{ASSETS / asset}:{line}: ")
    assert message in str(caught.value)


def test_it_reports_every_problem_of_a_file_at_once() -> None:
    with pytest.raises(InputErrors) as caught:
        SetupCfgParser().parse(ASSETS / "several-invalid.cfg")
    assert sorted((e.line, e.message.split(" '")[0]) for e in leaves(caught.value)) == [
        (2, "invalid python_requires"),
        (4, "invalid requirement"),
    ]


def test_it_drops_empty_semicolon_pieces(tmp_path: Path) -> None:
    path = tmp_path / "setup.cfg"
    path.write_text(
        "[options]\ninstall_requires = alpha;; ;beta\npython_requires = >=3.9\n", encoding="utf-8"
    )
    assert [d.name for d in SetupCfgParser().parse(path).dependencies] == ["alpha", "beta"]


def test_it_reads_python_requires_without_install_requires(tmp_path: Path) -> None:
    path = tmp_path / "setup.cfg"
    path.write_text("[options]\npython_requires = >=3.9\n", encoding="utf-8")
    manifest = SetupCfgParser().parse(path)
    assert manifest.dependencies == () and manifest.python_requires == SpecifierSet(">=3.9")


def test_it_gives_no_line_for_a_value_inherited_from_the_default_section(tmp_path: Path) -> None:
    path = tmp_path / "setup.cfg"
    path.write_text(
        "[DEFAULT]\ninstall_requires = shared==1.0\n\n[options]\nzip_safe = False\n", encoding="utf-8"
    )
    (dependency,) = SetupCfgParser().parse(path).dependencies
    assert dependency.name == "shared" and dependency.location.line is None
