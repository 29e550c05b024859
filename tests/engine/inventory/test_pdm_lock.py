"""PdmLockParser: pdm.lock groups, sources, markers and Python constraint."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.pdm_lock import PdmLockParser
from pysteward.engine.model import Dependency, DirectReference, PinnedDependency, SourceKind

ASSETS = Path(__file__).parent / "assets" / "lockfiles" / "pdm"
PARSER = PdmLockParser()

LOCK = """\
[metadata]
groups = ["default", "dev", "docs"]
requires_python = ">=3.10"

[[package]]
name = "toml"
version = "0.10.2"
groups = ["default", "dev"]
files = [
    {file = "toml-0.10.2.tar.gz", hash = "sha256:aa"},
]

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["dev"]
marker = "sys_platform == \\"linux\\""

[[package]]
name = "sphinx"
version = "8.0.0"
groups = ["docs"]

[[package]]
name = "mixed"
version = "1.0.0"
groups = ["dev", "docs"]

[[package]]
name = "requests"
version = "2.31.0"
groups = ["default"]

[[package]]
name = "requests"
version = "2.31.0"
extras = ["socks"]
groups = ["default"]

[[package]]
name = "gitdep"
version = "0.1.0"
git = "https://git.invalid/uiri/toml.git"
ref = "main"
revision = "65bab7582ce14c55cdeec2244c65ea23039c9e6f"
groups = ["default"]

[[package]]
name = "editable"
version = "0.2.0"
path = "./editable"
editable = true
groups = ["default"]

[[package]]
name = "local"
version = "0.3.0"
path = "./local"
groups = ["default"]

[[package]]
name = "wheelie"
version = "1.0"
url = "https://files.invalid/wheelie-1.0-py3-none-any.whl"
groups = ["default"]
"""


def _parse(tmp_path: Path, text: str = LOCK) -> dict[str, Dependency]:
    path = tmp_path / "pdm.lock"
    path.write_text(text, encoding="utf-8")
    return {str(d.name): d for d in PARSER.parse(path).dependencies}


def test_it_claims_pdm_lock_files_as_a_lock() -> None:
    assert PARSER.claims(Path("pdm.lock"))
    assert (PARSER.kind, PARSER.is_lock) == ("pdm.lock", True)


def test_it_maps_groups_to_main_dev_and_optional(tmp_path: Path) -> None:
    found = _parse(tmp_path)
    scopes = {name: d.scopes for name, d in found.items() if name in {"toml", "pytest", "sphinx", "mixed"}}
    assert scopes == {
        "toml": ("main",),
        "pytest": ("dev",),
        "sphinx": ("optional",),
        "mixed": ("dev", "optional"),
    }


def test_it_keeps_markers_and_hashes(tmp_path: Path) -> None:
    found = _parse(tmp_path)
    assert found["pytest"].marker == Marker('sys_platform == "linux"')
    assert found["toml"].hashes == ("sha256:aa",)


def test_it_reports_a_package_locked_for_several_extras_once(tmp_path: Path) -> None:
    path = tmp_path / "pdm.lock"
    path.write_text(LOCK, encoding="utf-8")
    requests = [d for d in PARSER.parse(path).dependencies if d.name == "requests"]
    assert len(requests) == 1
    assert isinstance(requests[0], PinnedDependency)
    assert requests[0].version == Version("2.31.0")


def test_it_turns_git_path_and_url_packages_into_direct_references(tmp_path: Path) -> None:
    found = _parse(tmp_path)
    gitdep = found["gitdep"]
    assert isinstance(gitdep, DirectReference)
    assert (gitdep.kind, gitdep.commit, gitdep.version) == (
        SourceKind.VCS,
        "65bab7582ce14c55cdeec2244c65ea23039c9e6f",
        Version("0.1.0"),
    )
    kinds = {name: found[name].source for name in ("editable", "local", "wheelie")}
    assert kinds == {"editable": SourceKind.EDITABLE, "local": SourceKind.PATH, "wheelie": SourceKind.URL}


def test_it_reads_requires_python(tmp_path: Path) -> None:
    path = tmp_path / "pdm.lock"
    path.write_text(LOCK, encoding="utf-8")
    assert PARSER.parse(path).python_requires == SpecifierSet(">=3.10")


@pytest.mark.parametrize("text", ["", '[metadata]\ngroups = ["default"]\n'])
def test_it_reads_an_empty_lock_as_no_packages(tmp_path: Path, text: str) -> None:
    assert _parse(tmp_path, text) == {}


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("not-toml.lock", ":2: invalid TOML: invalid value"),
        ("missing-name.lock", ":1: package[0]: missing name"),
        ("invalid-version.lock", ":2: package[0].version: invalid version 'latest'"),
        ("missing-version.lock", ":2: package[0]: missing version"),
    ],
)
def test_it_reports_a_broken_lock_with_path_and_line(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PARSER.parse(ASSETS / asset)
    assert str(caught.value) == f"{ASSETS / asset}{message}"


# --- dependency graph edges ------------------------------------------------------------------

GRAPH = """\
[[package]]
name = "requests"
version = "2.31.0"
groups = ["default"]
dependencies = ["idna<4,>=2.5", "urllib3<3,>=1.21.1; python_version >= \\"3.8\\"", "  ", "!bad"]

[[package]]
name = "requests"
version = "2.31.0"
extras = ["socks"]
groups = ["default"]
dependencies = ["PySocks!=1.5.7,>=1.5.6", "requests==2.31.0"]

[[package]]
name = "idna"
version = "3.6"
groups = ["default"]
dependencies = "not a list"
"""


def test_it_records_the_names_of_each_packages_requirements_as_edges(tmp_path: Path) -> None:
    path = tmp_path / "pdm.lock"
    path.write_text(GRAPH, encoding="utf-8")
    # The extras table adds PySocks; its edge back to plain requests is a self-loop and is dropped.
    assert PARSER.parse(path).edges == (
        ("requests", "idna"),
        ("requests", "urllib3"),
        ("requests", "pysocks"),
    )
