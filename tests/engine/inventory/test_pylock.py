"""PylockParser: PEP 751 pylock.toml."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.pylock import PylockParser
from pysteward.engine.model import Dependency, DirectReference, PinnedDependency, SourceKind

ASSETS = Path(__file__).parent / "assets" / "lockfiles" / "pylock"
PARSER = PylockParser()

LOCK = """\
lock-version = "1.0"
created-by = "steward-tests"
requires-python = ">=3.11"
extras = ["security"]

[[packages]]
name = "my-project"
directory = { path = ".", editable = true }

[[packages]]
name = "certifi"
version = "2025.1.31"
index = "https://index.invalid/simple"
marker = "python_version >= \\"3.6\\" and \\"security\\" in extras"
sdist = { url = "https://files.invalid/certifi-2025.1.31.tar.gz", hashes = { sha256 = "aa" } }
wheels = [
    { url = "https://f.invalid/certifi-2025.1.31-py3-none-any.whl", hashes = { sha256 = "bb", md5 = "cc" } },
]

[[packages]]
name = "mleroc"
version = "0.1.0"
[packages.vcs]
type = "git"
url = "https://git.invalid/mleroc.git"
commit-id = "735093f03c4d8be70bfaaae44074ac92d7419b6d"

[[packages]]
name = "sibling"
directory = { path = "../sibling" }

[[packages]]
name = "devlib"
directory = { path = "../devlib", editable = true }

[[packages]]
name = "wheelie"
version = "1.0"
archive = { url = "https://files.invalid/wheelie-1.0.whl", hashes = { sha256 = "dd" } }

[[packages]]
name = "vendored"
archive = { path = "vendor/vendored-2.0.tar.gz", hashes = { sha256 = "ee" } }
"""


def _parse(tmp_path: Path, text: str = LOCK, name: str = "pylock.toml") -> dict[str, Dependency]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return {str(d.name): d for d in PARSER.parse(path).dependencies}


def test_it_claims_pylock_files_with_and_without_a_name() -> None:
    assert PARSER.claims(Path("pylock.toml"))
    assert PARSER.claims(Path("pylock.dev.toml"))
    assert not PARSER.claims(Path("pyproject.toml"))
    assert (PARSER.kind, PARSER.is_lock) == ("pylock.toml", True)


def test_it_leaves_out_the_project_itself(tmp_path: Path) -> None:
    assert "my-project" not in _parse(tmp_path)


def test_it_reads_index_packages_with_marker_hashes_and_line(tmp_path: Path) -> None:
    certifi = _parse(tmp_path)["certifi"]
    assert isinstance(certifi, PinnedDependency)
    assert certifi.version == Version("2025.1.31")
    assert certifi.marker == Marker('python_version >= "3.6" and "security" in extras')
    assert certifi.hashes == ("sha256:aa", "sha256:bb", "md5:cc")
    assert certifi.location.line == 11


def test_it_turns_vcs_directory_and_archive_packages_into_direct_references(tmp_path: Path) -> None:
    found = _parse(tmp_path)
    mleroc = found["mleroc"]
    assert isinstance(mleroc, DirectReference)
    assert (mleroc.kind, mleroc.commit, mleroc.version) == (
        SourceKind.VCS,
        "735093f03c4d8be70bfaaae44074ac92d7419b6d",
        Version("0.1.0"),
    )
    kinds = {name: found[name].source for name in ("sibling", "devlib", "wheelie", "vendored")}
    assert kinds == {
        "sibling": SourceKind.PATH,
        "devlib": SourceKind.EDITABLE,
        "wheelie": SourceKind.URL,
        "vendored": SourceKind.PATH,
    }
    assert found["wheelie"].hashes == ("sha256:dd",)


def test_it_reads_requires_python_and_raises_no_warning_for_a_valid_lock(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(LOCK, encoding="utf-8")
    manifest = PARSER.parse(path)
    assert manifest.python_requires == SpecifierSet(">=3.11")
    assert manifest.warnings == ()


def test_it_warns_when_packaging_finds_the_lock_invalid_but_still_reads_it(tmp_path: Path) -> None:
    text = (
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "1"\n'
        'sdist = { name = "a.tar.gz", hashes = { sha256 = "aa" } }\n'
    )
    path = tmp_path / "pylock.toml"
    path.write_text(text, encoding="utf-8")
    manifest = PARSER.parse(path)
    assert [d.name for d in manifest.dependencies] == ["a"]
    assert manifest.warnings == (
        f"{path}: not a valid PEP 751 lock file: packages[0].sdist: path or url must be provided",
    )


def test_it_finds_no_lines_in_an_inline_array_of_packages(tmp_path: Path) -> None:
    text = (
        'lock-version = "1.0"\ncreated-by = "x"\n'
        'packages = [{ name = "a", version = "1", index = "https://i.invalid/" }]\n'
    )
    assert _parse(tmp_path, text)["a"].location.line is None


@pytest.mark.parametrize("text", ["", "\n"])
def test_it_reads_an_empty_file_as_no_packages(tmp_path: Path, text: str) -> None:
    assert _parse(tmp_path, text) == {}


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("not-toml.toml", ":2: invalid TOML: invalid value"),
        ("unsupported-version.toml", ":2: lock-version: pylock version 2.0 is not supported"),
        ("missing-name.toml", ":4: packages[0]: missing name"),
        ("invalid-version.toml", ":5: packages[0].version: invalid version 'v-next'"),
        ("missing-version.toml", ":5: packages[0]: missing version"),
        ("marker-not-string.toml", ":5: packages[0].marker: expected a string, got an array"),
    ],
)
def test_it_reports_a_broken_lock_with_path_and_line(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PARSER.parse(ASSETS / asset)
    assert str(caught.value) == f"{ASSETS / asset}{message}"


# --- dependency graph edges ------------------------------------------------------------------

GRAPH = """\
lock-version = "1.0"
created-by = "steward-tests"

[[packages]]
name = "my-project"
directory = { path = "." }
dependencies = [{ name = "certifi" }, { name = "Mleroc" }]

[[packages]]
name = "certifi"
version = "2025.1.31"
index = "https://index.invalid/simple"
dependencies = [{ version = "1" }, "not a table", { name = "Mleroc" }]

[[packages]]
name = "mleroc"
version = "0.1.0"
index = "https://index.invalid/simple"
dependencies = "not an array"
"""


def test_it_records_dependencies_with_the_project_as_parent_none(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(GRAPH, encoding="utf-8")
    manifest = PARSER.parse(path)
    assert manifest.edges == ((None, "certifi"), (None, "mleroc"), ("certifi", "mleroc"))
