"""UvLockParser: uv.lock, its workspace members and its dependency graph."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.uv_lock import UvLockParser
from pysteward.engine.model import Dependency, DirectReference, PinnedDependency, SourceKind

ASSETS = Path(__file__).parent / "assets" / "lockfiles" / "uv"
PARSER = UvLockParser()
REGISTRY = 'source = { registry = "https://index.invalid/simple" }'

GRAPH = f"""\
version = 1
requires-python = ">=3.11"

[manifest]
members = ["app", "sibling"]

[[package]]
name = "app"
version = "0.1.0"
source = {{ editable = "." }}
dependencies = [
    {{ name = "celery", extra = ["redis"] }},
    {{ name = "sibling" }},
    {{ name = "winonly", marker = "sys_platform == 'win32'" }},
]

[package.optional-dependencies]
docs = [{{ name = "sphinx" }}]

[package.dev-dependencies]
dev = [{{ name = "pytest" }}, {{ name = "shared" }}]

[[package]]
name = "sibling"
version = "0.2.0"
source = {{ editable = "packages/sibling" }}

[[package]]
name = "celery"
version = "5.4.0"
{REGISTRY}
sdist = {{ url = "https://files.invalid/celery.tar.gz", hash = "sha256:aa" }}
wheels = [{{ url = "https://files.invalid/celery.whl", hash = "sha256:bb" }}]

[package.optional-dependencies]
redis = [{{ name = "redis", marker = "python_version >= '3.12'" }}]

[[package]]
name = "redis"
version = "5.0.0"
{REGISTRY}

[[package]]
name = "sphinx"
version = "8.0.0"
{REGISTRY}
dependencies = [{{ name = "shared", marker = "os_name == 'nt'" }}]

[[package]]
name = "pytest"
version = "8.3.0"
{REGISTRY}
dependencies = [{{ name = "colorama", marker = "sys_platform == 'win32'" }}]

[[package]]
name = "shared"
version = "1.0.0"
{REGISTRY}

[[package]]
name = "colorama"
version = "0.4.6"
{REGISTRY}

[[package]]
name = "winonly"
version = "1.0.0"
{REGISTRY}

[[package]]
name = "orphan"
version = "1.0.0"
{REGISTRY}
"""

SOURCES = """\
version = 1

[[package]]
name = "root"
version = "0.1.0"
source = { virtual = "." }

[[package]]
name = "ruff"
version = "0.8.1"
source = { git = "https://git.invalid/astral-sh/ruff?rev=main#84748be16341b76e073d117329f7f5f4ee2941ad" }

[[package]]
name = "wheelie"
version = "1.0"
source = { url = "https://files.invalid/wheelie-1.0-py3-none-any.whl" }

[[package]]
name = "vendored"
version = "2.0"
source = { path = "vendor/vendored-2.0.tar.gz" }

[[package]]
name = "localdir"
version = "3.0"
source = { directory = "../localdir" }

[[package]]
name = "devlib"
version = "4.0"
source = { editable = "../devlib" }
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "uv.lock"
    path.write_text(text, encoding="utf-8")
    return path


def _by_name(dependencies: tuple[Dependency, ...]) -> dict[str, Dependency]:
    return {str(dependency.name): dependency for dependency in dependencies}


def test_it_claims_uv_lock_files_as_a_lock() -> None:
    assert PARSER.claims(Path("uv.lock"))
    assert not PARSER.claims(Path("poetry.lock"))
    assert (PARSER.kind, PARSER.is_lock) == ("uv.lock", True)


def test_it_leaves_out_the_workspace_members(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, GRAPH)).dependencies)
    assert "app" not in found
    assert "sibling" not in found
    assert len(found) == 8


def test_it_marks_the_packages_the_members_name_as_direct(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, GRAPH)).dependencies)
    direct = {name for name, dependency in found.items() if dependency.direct}
    assert direct == {"celery", "winonly", "sphinx", "pytest", "shared"}
    assert found["redis"].direct is False


def test_it_propagates_scopes_through_the_graph_and_extras(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, GRAPH)).dependencies)
    scopes = {name: dependency.scopes for name, dependency in found.items()}
    assert scopes == {
        "celery": ("main",),
        "redis": ("main",),
        "winonly": ("main",),
        "sphinx": ("docs",),
        "pytest": ("dev",),
        "colorama": ("dev",),
        "shared": ("dev", "docs"),
        "orphan": ("main",),
    }


def test_it_gives_a_package_the_or_of_its_conditional_edges(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, GRAPH)).dependencies)
    assert found["winonly"].marker == Marker("sys_platform == 'win32'")
    assert found["redis"].marker == Marker("python_version >= '3.12'")
    assert found["shared"].marker is None
    assert found["celery"].marker is None


def test_it_ors_distinct_markers_on_several_edges(tmp_path: Path) -> None:
    edge = '{ name = "shared" }'
    text = GRAPH.replace(edge, '{ name = "shared", marker = "os_name == \'posix\'" }')
    found = _by_name(PARSER.parse(_write(tmp_path, text)).dependencies)
    assert found["shared"].marker == Marker("(os_name == 'posix') or (os_name == 'nt')")


def test_it_collects_sdist_and_wheel_hashes(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, GRAPH)).dependencies)
    assert found["celery"].hashes == ("sha256:aa", "sha256:bb")


def test_it_reads_requires_python(tmp_path: Path) -> None:
    assert PARSER.parse(_write(tmp_path, GRAPH)).python_requires == SpecifierSet(">=3.11")


def test_it_turns_git_url_path_and_editable_sources_into_direct_references(tmp_path: Path) -> None:
    found = _by_name(PARSER.parse(_write(tmp_path, SOURCES)).dependencies)
    ruff = found["ruff"]
    assert isinstance(ruff, DirectReference)
    assert (ruff.kind, ruff.url, ruff.commit, ruff.version) == (
        SourceKind.VCS,
        "https://git.invalid/astral-sh/ruff?rev=main",
        "84748be16341b76e073d117329f7f5f4ee2941ad",
        Version("0.8.1"),
    )
    kinds = {name: (d.source, getattr(d, "url", None)) for name, d in found.items() if name != "ruff"}
    assert kinds == {
        "wheelie": (SourceKind.URL, "https://files.invalid/wheelie-1.0-py3-none-any.whl"),
        "vendored": (SourceKind.PATH, "vendor/vendored-2.0.tar.gz"),
        "localdir": (SourceKind.PATH, "../localdir"),
        "devlib": (SourceKind.EDITABLE, "../devlib"),
    }


def test_it_knows_nothing_of_direct_without_a_root(tmp_path: Path) -> None:
    text = f'version = 1\n\n[[package]]\nname = "six"\nversion = "1.16.0"\n{REGISTRY}\n'
    (six,) = PARSER.parse(_write(tmp_path, text)).dependencies
    assert (six.direct, six.scopes, six.location.line) == (None, ("main",), 4)


def test_it_keeps_a_package_reached_by_an_invalid_marker_and_warns(tmp_path: Path) -> None:
    edge = '{ name = "winonly", marker = "sys_platform == \'win32\'" }'
    text = GRAPH.replace(edge, edge.replace("==", "=<"))
    manifest = PARSER.parse(_write(tmp_path, text))
    assert _by_name(manifest.dependencies)["winonly"].marker is None
    assert len(manifest.warnings) == 1
    assert "ignoring invalid marker" in manifest.warnings[0]


def test_it_warns_about_a_requires_python_it_cannot_read(tmp_path: Path) -> None:
    manifest = PARSER.parse(_write(tmp_path, 'version = 1\nrequires-python = "three"\n'))
    assert manifest.python_requires is None
    assert manifest.warnings == (f"{tmp_path / 'uv.lock'}:2: ignoring invalid python constraint 'three'",)


def test_it_reads_a_package_with_an_unknown_source_kind_as_from_the_index(tmp_path: Path) -> None:
    text = 'version = 1\n\n[[package]]\nname = "six"\nversion = "1.0"\nsource = { future = "x" }\n'
    (six,) = PARSER.parse(_write(tmp_path, text)).dependencies
    assert isinstance(six, PinnedDependency)


def test_it_reads_the_saleor_lock(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "uv.lock"
    shutil.copy(shared_data / "real-world" / "saleor-saleor-uv.lock", path)
    manifest = PARSER.parse(path)
    assert len(manifest.dependencies) == 230
    assert all(isinstance(dependency, PinnedDependency) for dependency in manifest.dependencies)
    assert "saleor" not in _by_name(manifest.dependencies)
    assert all(dependency.hashes for dependency in manifest.dependencies)
    assert {scope for dependency in manifest.dependencies for scope in dependency.scopes} == {"main", "dev"}
    assert manifest.warnings == ()


def test_it_reads_the_paperless_lock(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "uv.lock"
    shutil.copy(shared_data / "real-world" / "paperless-ngx-paperless-ngx-uv.lock", path)
    manifest = PARSER.parse(path)
    dependencies = manifest.dependencies
    assert len(dependencies) == 275
    assert "paperless-ngx" not in _by_name(dependencies)
    stubs = _by_name(dependencies)["microsoft-python-type-stubs"]
    assert isinstance(stubs, DirectReference)
    assert (stubs.kind, stubs.commit) == (SourceKind.VCS, "692c37c3969d22612b295ddf7e7af5907204a386")
    psycopg_c = [d for d in dependencies if d.name == "psycopg-c"]
    assert Counter(d.source for d in psycopg_c) == {SourceKind.URL: 2, SourceKind.INDEX: 1}
    assert all(d.scopes == ("postgres",) for d in psycopg_c)
    torch = sorted(
        str(d.version) for d in dependencies if isinstance(d, PinnedDependency) and d.name == "torch"
    )
    assert torch == ["2.13.0", "2.13.0+cpu"]
    assert manifest.python_requires == SpecifierSet(">=3.11")


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("not-toml.lock", ":2: invalid TOML: expected ']]' at the end of an array declaration"),
        ("package-not-array.lock", ": package: expected an array of tables"),
        ("missing-name.lock", ":3: package[0]: missing name"),
        ("invalid-version.lock", ":4: package[0].version: invalid version '2.14.0-final-final'"),
        ("missing-version.lock", ":4: package[0]: missing version"),
        ("version-not-string.lock", ":4: package[0].version: expected a string, got a number"),
    ],
)
def test_it_reports_a_broken_lock_with_path_and_line(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PARSER.parse(ASSETS / asset)
    assert str(caught.value) == f"{ASSETS / asset}{message}"


@pytest.mark.parametrize("text", ["", "\n", 'version = 1\nrequires-python = ">=3.10"\n'])
def test_it_reads_an_empty_lock_as_no_packages(tmp_path: Path, text: str) -> None:
    assert PARSER.parse(_write(tmp_path, text)).dependencies == ()


# --- dependency graph edges ------------------------------------------------------------------


def test_it_records_the_graph_with_workspace_members_as_the_project(tmp_path: Path) -> None:
    edges = PARSER.parse(_write(tmp_path, GRAPH)).edges
    assert set(edges) == {
        (None, "celery"),
        (None, "winonly"),
        (None, "sphinx"),
        (None, "pytest"),
        (None, "shared"),
        ("celery", "redis"),
        ("sphinx", "shared"),
        ("pytest", "colorama"),
    }
    assert len(edges) == len(set(edges))
    # `app` → `sibling` stays inside the workspace: both members are the project.
    assert not any(child == "sibling" for _, child in edges)


def test_it_records_no_edges_for_a_lock_without_dependencies(tmp_path: Path) -> None:
    assert PARSER.parse(_write(tmp_path, SOURCES)).edges == ()


def test_it_drops_edges_that_name_no_valid_project(tmp_path: Path) -> None:
    text = f"""\
version = 1

[[package]]
name = "app"
version = "1.0"
{REGISTRY}
dependencies = [{{ name = "not a name!" }}, {{ name = "Ok_Name" }}, {{ name = "app" }}]

[[package]]
name = "Ok_Name"
version = "1.0"
{REGISTRY}

[[package]]
version = "1.0"
dependencies = [{{ name = "app" }}]
"""
    with pytest.raises(InventoryError):
        PARSER.parse(_write(tmp_path, text))
    fixed = text.replace('[[package]]\nversion = "1.0"\ndependencies = [{ name = "app" }]\n', "")
    assert PARSER.parse(_write(tmp_path, fixed)).edges == (("app", "ok-name"),)
