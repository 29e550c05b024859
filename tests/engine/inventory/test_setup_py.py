"""SetupPyParser: setup.py read with `ast`, never executed.

The assets reproduce the cases of osv-scalibr's setup.py extractor tests (see shared/data README
section 5) in text written for Steward; they end in `.py.in` so no tool treats them as code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.setup_py import SetupPyParser
from pysteward.engine.model import Dependency, PinnedDependency, UnpinnedDependency
from pysteward.errors import InputError, InputErrors

ASSETS = Path(__file__).parent / "assets" / "manifests" / "setup_py"


def leaves(group: InputErrors) -> list[InputError]:
    """The errors of a group, checking that none is itself a group."""
    errors = [error for error in group.exceptions if isinstance(error, InputError)]
    assert len(errors) == len(group.exceptions)
    return errors


def summary(dependency: Dependency) -> tuple[str, str, int | None]:
    if isinstance(dependency, PinnedDependency):
        return dependency.display_name, f"=={dependency.version}", dependency.location.line
    assert isinstance(dependency, UnpinnedDependency)
    return dependency.display_name, str(dependency.specifier), dependency.location.line


def test_it_reads_literal_install_requires_like_the_upstream_valid_case() -> None:
    manifest = SetupPyParser().parse(ASSETS / "valid.py.in")
    main = [summary(d) for d in manifest.dependencies if d.scopes == ("main",)]
    assert main == [
        ("pysaml2", "==6.5.1", 10),
        ("xmlschema", "==1.7.1", 11),
        ("requests", "==2.25.1", 12),
        ("lxml", ">=4.6.2", 13),
        ("Jinja2", "==2.11.3", 14),
        ("pkg1", "==0.1.1", 15),
        ("pkg2", "==0.1.2", 15),
        ("foo", "<3.0,>=2.20", 16),
        ("pydantic", ">=1.8.2", 17),
        ("certifi", ">=2017.4.17", 18),
        ("pkg3", "<=1.2.3", 19),
        ("foo", "", 20),
    ]
    assert manifest.python_requires == SpecifierSet(">=3.8")
    assert manifest.warnings == ()


def test_it_reads_extras_including_marker_keys_and_single_strings() -> None:
    manifest = SetupPyParser().parse(ASSETS / "valid.py.in")
    extras = {d.display_name: d for d in manifest.dependencies if d.scopes != ("main",)}
    assert {name: d.scopes for name, d in extras.items()} == {
        "pytest": ("test",),
        "pywin32": ("win",),
        "sphinx": ("docs",),
    }
    assert str(extras["pywin32"].marker) == 'sys_platform == "win32"'


def test_it_skips_computed_requirements_with_a_warning_per_entry() -> None:
    manifest = SetupPyParser().parse(ASSETS / "template.py.in")
    assert [summary(d) for d in manifest.dependencies] == [
        ("requests", "==2.25.1", 12),
        ("lxml", "==4.6.2", 13),
        ("Jinja2", "==2.11.3", 14),
    ]
    assert [warning.split(": ", 1)[0].rsplit(":", 1)[1] for warning in manifest.warnings] == ["9", "10", "11"]
    assert all("not a string literal" in warning for warning in manifest.warnings)


def test_it_follows_module_level_names_one_level() -> None:
    manifest = SetupPyParser().parse(ASSETS / "bound-names.py.in")
    assert [(d.display_name, d.scopes, d.location.line) for d in manifest.dependencies] == [
        ("click", ("main",), 3),
        ("tomli", ("main",), 3),
        ("pyyaml", ("yaml",), 4),
    ]
    assert manifest.python_requires == SpecifierSet(">=3.9")
    (warning,) = manifest.warnings
    assert warning.endswith("install_requires is not a literal list, so its requirements are not read: ALIAS")


def test_it_warns_about_computed_keyword_values() -> None:
    manifest = SetupPyParser().parse(ASSETS / "computed.py.in")
    assert manifest.dependencies == () and manifest.python_requires is None
    assert [w.split(": ", 1)[1].split(" is ")[0] for w in manifest.warnings] == [
        "install_requires",
        "extras_require",
        "python_requires",
    ]


def test_it_reads_each_line_of_a_multi_line_string() -> None:
    manifest = SetupPyParser().parse(ASSETS / "multiline-string.py.in")
    assert [summary(d) for d in manifest.dependencies] == [("attrs", "==23.1.0", 5), ("six", ">=1.16", 7)]
    assert isinstance(manifest.dependencies[0], PinnedDependency)
    assert manifest.dependencies[0].version == Version("23.1.0")


@pytest.mark.parametrize("asset", ["no-arguments.py.in", "empty.py.in"])
def test_it_reads_nothing_from_a_setup_without_requirements(asset: str) -> None:
    manifest = SetupPyParser().parse(ASSETS / asset)
    assert manifest.dependencies == () and manifest.warnings == ()


def test_it_never_runs_the_script(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "setup.py"
    script.write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "from setuptools import setup\nsetup(install_requires=['a==1'])\n",
        encoding="utf-8",
    )
    assert [d.name for d in SetupPyParser().parse(script).dependencies] == ["a"]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("asset", "line", "message"),
    [
        ("python2.py.in", 3, "not valid Python 3 syntax (Python 2?)"),
        ("bad-extra-marker.py.in", 3, "invalid marker 'not a marker' in extra 'fast'"),
    ],
)
def test_it_rejects_bad_files_with_path_line_and_reason(asset: str, line: int, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        SetupPyParser().parse(ASSETS / asset)
    assert str(caught.value).startswith(f"{ASSETS / asset}:{line}: {message}")


@pytest.mark.parametrize("source", ["x = " + "-" * 200_000 + "1", "x = " + "a." * 500_000 + "b"])
def test_it_refuses_code_too_deeply_nested_to_parse(tmp_path: Path, source: str) -> None:
    path = tmp_path / "setup.py"
    path.write_text(source + "\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="cannot be parsed as Python"):
        SetupPyParser().parse(path)


def test_it_reports_every_problem_of_a_file_at_once() -> None:
    with pytest.raises(InputErrors) as caught:
        SetupPyParser().parse(ASSETS / "several-invalid.py.in")
    assert [(e.line, e.message.split(" '")[0]) for e in leaves(caught.value)] == [
        (4, "invalid requirement"),
        (4, "invalid requirement"),
        (5, "invalid python_requires"),
    ]


def test_it_claims_setup_py() -> None:
    assert SetupPyParser().claims(Path("project/setup.py"))
    assert not SetupPyParser().claims(Path("project/setup.cfg"))


def test_it_skips_unpacked_assignments_and_non_literal_extra_keys(tmp_path: Path) -> None:
    path = tmp_path / "setup.py"
    path.write_text(
        "from setuptools import setup\nA, B = 1, 2\nMORE = {}\nNAME = 'x'\n"
        "setup(extras_require={**MORE, NAME: ['y'], 'ok': ['z==1']})\n",
        encoding="utf-8",
    )
    manifest = SetupPyParser().parse(path)
    assert [(d.name, d.scopes) for d in manifest.dependencies] == [("z", ("ok",))]
    assert [w.split(": ", 1)[1] for w in manifest.warnings] == [
        "skipped an extras_require entry whose key is not a string literal",
        "skipped an extras_require entry whose key is not a string literal",
    ]
