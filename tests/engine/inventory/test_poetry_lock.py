"""PoetryLockParser: poetry.lock 1.x and 2.x."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.poetry_lock import PoetryLockParser
from pysteward.engine.model import DirectReference, PinnedDependency, SourceKind
from pysteward.errors import InputErrors

ASSETS = Path(__file__).parent / "assets" / "lockfiles" / "poetry"
PARSER = PoetryLockParser()

V1 = """\
[[package]]
name = "numpy"
version = "1.23.3"
category = "main"
optional = false

[[package]]
name = "pytest"
version = "7.1.0"
category = "dev"
optional = false

[metadata]
lock-version = "1.1"
python-versions = "^3.10"

[metadata.files]
numpy = [
    {file = "numpy-1.23.3.tar.gz", hash = "sha256:aa"},
    {file = "numpy-1.23.3-any.whl", hash = "sha256:bb"},
]
"""

V2 = """\
[[package]]
name = "async-timeout"
version = "5.0.1"
optional = true
groups = ["main"]
markers = "extra == \\"caching\\""
files = [{file = "async_timeout-5.0.1.tar.gz", hash = "sha256:cc"}]

[[package]]
name = "faker"
version = "33.3.0"
optional = false
groups = ["test", "dev"]
markers = {dev = "sys_platform == \\"win32\\"", test = "sys_platform == \\"linux\\""}

[[package]]
name = "six"
version = "1.17.0"
optional = false
groups = ["main", "dev"]
markers = "python_version >= \\"3.8\\""

[metadata]
lock-version = "2.1"
python-versions = ">=3.9,<4.0"
"""

SOURCES = """\
[[package]]
name = "ike"
version = "0.2.0"
[package.source]
type = "git"
url = "https://git.invalid/dzshn/ike"
reference = "main"
resolved_reference = "cd66602cd29f61a2d2e7fb995fef1e61708c034d"

[[package]]
name = "appdirs"
version = "1.4.4"
[package.source]
type = "legacy"
url = "https://mirror.invalid/simple"
reference = "mirror"

[[package]]
name = "wheelie"
version = "1.0"
[package.source]
type = "url"
url = "https://files.invalid/wheelie-1.0-py3-none-any.whl"

[[package]]
name = "archived"
version = "2.0"
[package.source]
type = "file"
url = "vendor/archived-2.0.tar.gz"

[[package]]
name = "mylib"
version = "0.1.0"
develop = true
[package.source]
type = "directory"
url = "../mylib"

[[package]]
name = "otherlib"
version = "0.2.0"
develop = false
[package.source]
type = "directory"
url = "../otherlib"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "poetry.lock"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_claims_poetry_lock_files_as_a_lock() -> None:
    assert PARSER.claims(Path("x/poetry.lock"))
    assert not PARSER.claims(Path("x/uv.lock"))
    assert PARSER.is_lock
    assert PARSER.kind == "poetry.lock"


def test_it_reads_a_1x_lock_with_categories_hashes_and_python(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, V1))
    numpy, pytest_ = manifest.dependencies
    assert isinstance(numpy, PinnedDependency)
    assert (numpy.name, numpy.version, numpy.scopes, numpy.location.line) == (
        "numpy",
        Version("1.23.3"),
        ("main",),
        2,
    )
    assert numpy.hashes == ("sha256:aa", "sha256:bb")
    assert numpy.direct is None
    assert pytest_.scopes == ("dev",)
    assert manifest.is_lock
    assert manifest.python_requires == SpecifierSet(">=3.10,<4.0")


def test_it_reads_2x_groups_optional_and_markers(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, V2))
    found = {str(dependency.name): dependency for dependency in manifest.dependencies}
    assert found["async-timeout"].scopes == ("optional",)
    assert found["async-timeout"].marker == Marker('extra == "caching"')
    assert found["async-timeout"].hashes == ("sha256:cc",)
    assert found["faker"].scopes == ("dev", "test")
    assert found["faker"].marker == Marker('(sys_platform == "win32") or (sys_platform == "linux")')
    assert found["six"].scopes == ("main",)
    assert manifest.python_requires == SpecifierSet(">=3.9,<4.0")


def test_it_turns_git_url_file_and_directory_sources_into_direct_references(tmp_path: Path) -> None:
    found = {str(d.name): d for d in PARSER.parse(_write(tmp_path, SOURCES)).dependencies}
    ike = found["ike"]
    assert isinstance(ike, DirectReference)
    assert (ike.kind, ike.commit, ike.version) == (
        SourceKind.VCS,
        "cd66602cd29f61a2d2e7fb995fef1e61708c034d",
        Version("0.2.0"),
    )
    assert isinstance(found["appdirs"], PinnedDependency)
    kinds = {name: d.source for name, d in found.items()}
    assert kinds["wheelie"] == SourceKind.URL
    assert kinds["archived"] == SourceKind.PATH
    assert kinds["mylib"] == SourceKind.EDITABLE
    assert kinds["otherlib"] == SourceKind.PATH


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^3.10", SpecifierSet(">=3.10,<4.0")),
        ("~3.9", SpecifierSet(">=3.9,<3.10")),
        ("^2.7 || ^3.6", None),
        ("*", None),
    ],
)
def test_it_translates_the_python_constraint(
    tmp_path: Path, constraint: str, expected: SpecifierSet | None
) -> None:
    text = f'package = []\n[metadata]\npython-versions = "{constraint}"\n'
    assert PARSER.parse(_write(tmp_path, text)).python_requires == expected


def test_it_warns_about_a_python_constraint_it_cannot_read(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, 'package = []\n[metadata]\npython-versions = "^three"\n'))
    assert manifest.python_requires is None
    assert len(manifest.warnings) == 1
    assert "python-versions" in manifest.warnings[0]


def test_it_keeps_a_package_whose_marker_does_not_parse_and_warns(tmp_path: Path) -> None:
    text = '[[package]]\nname = "six"\nversion = "1.0"\nmarkers = "python_version >>> 3"\n'
    manifest = PARSER.parse(_write(tmp_path, text))
    (six,) = manifest.dependencies
    assert six.marker is None
    assert manifest.warnings[0].startswith(f"{tmp_path / 'poetry.lock'}:2: ignoring invalid marker")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "package = []\n"])
def test_it_reads_an_empty_lock_as_no_packages(tmp_path: Path, text: str) -> None:
    assert PARSER.parse(_write(tmp_path, text)).dependencies == ()


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("not-toml.lock", ":3: invalid TOML: invalid value"),
        ("package-not-array.lock", ": package: expected an array of tables"),
        ("entry-not-table.lock", ": package[0]: expected a table"),
        ("missing-name.lock", ":1: package[0]: missing name"),
        ("name-not-string.lock", ":1: package[0].name: expected a string, got a number"),
        ("invalid-name.lock", ":2: package[0].name: invalid project name 'not a name!'"),
        ("invalid-version.lock", ":2: package[0].version: invalid version 'one point two'"),
        ("missing-version.lock", ":2: package[0]: missing version"),
    ],
)
def test_it_reports_a_broken_lock_with_path_and_line(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PARSER.parse(ASSETS / asset)
    assert str(caught.value) == f"{ASSETS / asset}{message}"


def test_it_reports_every_broken_package_at_once(tmp_path: Path) -> None:
    text = '[[package]]\nname = "a"\nversion = "x y"\n\n[[package]]\nname = "b"\n'
    with pytest.raises(InputErrors) as caught:
        PARSER.parse(_write(tmp_path, text))
    assert [str(error).split(": ", 1)[1] for error in caught.value.exceptions] == [
        "package[0].version: invalid version 'x y'",
        "package[1]: missing version",
    ]


# --- dependency graph edges ------------------------------------------------------------------

GRAPH = """\
[[package]]
name = "Flask"
version = "3.0.0"
groups = ["main"]

[package.dependencies]
Werkzeug = ">=3.0.0"
click = {version = ">=8.1.3", markers = "python_version >= \\"3.8\\""}
python = ">=3.8"

[[package]]
name = "werkzeug"
version = "3.0.1"
groups = ["main"]
dependencies = "not a table"

[[package]]
name = "click"
version = "8.1.7"
groups = ["main"]

[metadata]
lock-version = "2.1"
python-versions = ">=3.9"
"""


def test_it_records_package_dependencies_as_edges_without_python(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, GRAPH))
    assert manifest.edges == (("flask", "werkzeug"), ("flask", "click"))


def test_it_records_no_edges_for_a_lock_without_dependency_tables(tmp_path: Path) -> None:
    assert PARSER.parse(_write(tmp_path, V1)).edges == ()
