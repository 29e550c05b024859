"""Installed environments and single distributions' metadata (fake trees built per test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import packaging
import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.installed import InstalledMetadataParser, read_environment
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.model import DirectReference, PinnedDependency, SourceKind
from pysteward.errors import InputError


def metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: test\n\nLong description.\n"


def add_dist(
    site: Path, name: str, version: str, *, requested: bool = False, direct_url: object = None
) -> Path:
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(metadata(name, version), encoding="utf-8")
    if requested:
        (dist / "REQUESTED").write_text("", encoding="utf-8")
    if direct_url is not None:
        text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
        (dist / "direct_url.json").write_text(text, encoding="utf-8")
    return dist


def make_venv(
    root: Path, *, cfg: str = "home = /usr/bin\nversion = 3.12.1\n", lib: str = "python3.12"
) -> Path:
    site = root / "lib" / lib / "site-packages"
    site.mkdir(parents=True)
    (root / "pyvenv.cfg").write_text(cfg, encoding="utf-8")
    add_dist(site, "Requests", "2.31.0", requested=True)
    add_dist(site, "idna", "3.6")
    return site


def test_it_reads_every_distribution_of_a_venv_sorted_by_name(tmp_path: Path) -> None:
    site = make_venv(tmp_path)
    manifest = read_environment(tmp_path)
    assert [
        (d.display_name, str(d.version)) for d in manifest.dependencies if isinstance(d, PinnedDependency)
    ] == [
        ("idna", "3.6"),
        ("Requests", "2.31.0"),
    ]
    requests = manifest.dependencies[1]
    assert requests.location.path == site / "Requests-2.31.0.dist-info" / "METADATA"
    assert requests.location.line == 2
    assert manifest.python_requires == SpecifierSet("==3.12.1")
    assert manifest.kind == "installed" and manifest.is_lock and manifest.warnings == ()


def test_it_marks_requested_distributions_direct_and_others_unknown(tmp_path: Path) -> None:
    make_venv(tmp_path)
    assert {d.name: d.direct for d in read_environment(tmp_path).dependencies} == {
        "idna": None,
        "requests": True,
    }


def test_it_finds_the_environment_of_an_interpreter_without_following_its_symlink(tmp_path: Path) -> None:
    make_venv(tmp_path / "venv")
    (tmp_path / "venv" / "bin").mkdir()
    interpreter = tmp_path / "venv" / "bin" / "python3.12"
    interpreter.symlink_to(tmp_path / "base-interpreter-that-does-not-exist" / "python3.12")
    manifest = read_environment(interpreter)
    assert [d.name for d in manifest.dependencies] == ["idna", "requests"]
    assert manifest.path == interpreter


def test_it_reads_a_windows_layout_through_scripts_python_exe(tmp_path: Path) -> None:
    site = tmp_path / "Lib" / "site-packages"
    add_dist(site, "colorama", "0.4.6")
    (tmp_path / "Scripts").mkdir()
    (tmp_path / "Scripts" / "python.exe").write_bytes(b"MZ")
    (tmp_path / "pyvenv.cfg").write_text("version_info = 3.11.7.final.0\n", encoding="utf-8")
    manifest = read_environment(tmp_path / "Scripts" / "python.exe")
    assert [d.name for d in manifest.dependencies] == ["colorama"]
    assert manifest.python_requires == SpecifierSet("==3.11.7")


def test_it_takes_the_python_version_from_the_lib_directory_without_pyvenv_version(tmp_path: Path) -> None:
    make_venv(tmp_path, cfg="home = /usr/bin\n", lib="python3.9")
    assert read_environment(tmp_path).python_requires == SpecifierSet("==3.9.*")


def test_it_reads_a_site_packages_directory_given_directly(tmp_path: Path) -> None:
    site = make_venv(tmp_path)
    manifest = read_environment(site)
    assert [d.name for d in manifest.dependencies] == ["idna", "requests"]
    assert manifest.python_requires == SpecifierSet("==3.12.*")


def test_it_reads_an_empty_site_packages_directory(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    site.mkdir()
    manifest = read_environment(site)
    assert manifest.dependencies == () and manifest.python_requires is None


def test_it_reads_egg_info_directories_files_and_eggs(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.8" / "site-packages"
    (site / "legacy-1.0.egg-info").mkdir(parents=True)
    (site / "legacy-1.0.egg-info" / "PKG-INFO").write_text(metadata("legacy", "1.0"), encoding="utf-8")
    (site / "flat-2.0-py3.8.egg-info").write_text(metadata("flat", "2.0"), encoding="utf-8")
    (site / "old-3.0-py3.8.egg" / "EGG-INFO").mkdir(parents=True)
    (site / "old-3.0-py3.8.egg" / "EGG-INFO" / "PKG-INFO").write_text(
        metadata("old", "3.0"), encoding="utf-8"
    )
    (site / "not_metadata.py").write_text("", encoding="utf-8")
    manifest = read_environment(tmp_path)
    assert {d.name: str(d.version) for d in manifest.dependencies if isinstance(d, PinnedDependency)} == {
        "flat": "2.0",
        "legacy": "1.0",
        "old": "3.0",
    }


@pytest.mark.parametrize(
    ("direct_url", "kind", "url", "commit"),
    [
        (
            {"url": "file:///src/app", "dir_info": {"editable": True}},
            SourceKind.EDITABLE,
            "file:///src/app",
            None,
        ),
        ({"url": "file:///src/lib", "dir_info": {}}, SourceKind.PATH, "file:///src/lib", None),
        (
            {"url": "https://example.invalid/repo.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
            SourceKind.VCS,
            "git+https://example.invalid/repo.git",
            "abc123",
        ),
        ({"url": "https://example.invalid/pkg-1.0.tar.gz", "archive_info": {}}, SourceKind.URL, None, None),
        ({"url": "file:///wheels/pkg-1.0-py3-none-any.whl", "archive_info": {}}, SourceKind.PATH, None, None),
    ],
)
def test_it_reads_pep_610_direct_urls(
    tmp_path: Path, direct_url: dict[str, object], kind: SourceKind, url: str | None, commit: str | None
) -> None:
    add_dist(tmp_path / "site-packages", "pkg", "1.0", direct_url=direct_url)
    (dependency,) = read_environment(tmp_path / "site-packages").dependencies
    assert isinstance(dependency, DirectReference)
    assert dependency.kind is kind and dependency.version == Version("1.0") and dependency.commit == commit
    assert dependency.url == (url or direct_url["url"])


@pytest.mark.parametrize("direct_url", ["{not json", '{"dir_info": {}}'])
def test_it_ignores_an_unusable_direct_url_json(tmp_path: Path, direct_url: str) -> None:
    add_dist(tmp_path / "site-packages", "pkg", "1.0", direct_url=direct_url)
    (dependency,) = read_environment(tmp_path / "site-packages").dependencies
    assert isinstance(dependency, PinnedDependency) and dependency.version == Version("1.0")


def test_it_keeps_a_non_pep_440_version_of_a_direct_reference(tmp_path: Path) -> None:
    add_dist(tmp_path / "site-packages", "odd", "dev-main", direct_url={"url": "file:///x", "dir_info": {}})
    (dependency,) = read_environment(tmp_path / "site-packages").dependencies
    assert isinstance(dependency, DirectReference) and dependency.version is None


def test_it_warns_and_skips_malformed_metadata_in_an_environment(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    add_dist(site, "good", "1.0")
    nameless = add_dist(site, "nameless", "1.0")
    (nameless / "METADATA").write_text("Metadata-Version: 2.1\nVersion: 1.0\n", encoding="utf-8")
    empty = add_dist(site, "empty", "1.0")
    (empty / "METADATA").write_text("", encoding="utf-8")
    add_dist(site, "badversion", "not a version")
    (site / "missing-1.0.dist-info").mkdir()
    manifest = read_environment(site)
    assert [d.name for d in manifest.dependencies] == ["good"]
    reasons = sorted(warning.split(": ", 1)[1] for warning in manifest.warnings)
    assert reasons == [
        "file not found; skipped",
        "the metadata file is empty; skipped",
        'the metadata has no "Name" header; skipped',
        "version 'not a version' is not a PEP 440 version; skipped",
    ]


def test_it_reports_the_first_of_two_installs_of_one_name(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    add_dist(site, "dup", "1.0")
    (site / "Dup-2.0.dist-info").mkdir()
    (site / "Dup-2.0.dist-info" / "METADATA").write_text(metadata("Dup", "2.0"), encoding="utf-8")
    manifest = read_environment(site)
    (dependency,) = manifest.dependencies
    assert isinstance(dependency, PinnedDependency) and dependency.version == Version("2.0")
    assert "dup is installed twice" in manifest.warnings[0]


def write_conda_record(root: Path, name: str, version: str) -> None:
    meta = root / "conda-meta"
    meta.mkdir(exist_ok=True)
    record = {"name": name, "version": version, "build": "0"}
    (meta / f"{name}-{version}-0.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


def test_it_reads_a_conda_environment_where_dist_info_wins(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.10" / "site-packages"
    add_dist(site, "numpy", "1.26.0")
    write_conda_record(tmp_path, "python", "3.10.4")
    write_conda_record(tmp_path, "numpy", "1.26.0")
    write_conda_record(tmp_path, "libffi", "3.4.4")
    write_conda_record(tmp_path, "weird", "1.0 beta")
    (tmp_path / "conda-meta" / "broken.json").write_text("{", encoding="utf-8")
    manifest = read_environment(tmp_path)
    locations = {d.name: d.location.path.name for d in manifest.dependencies}
    # libffi and weird have no Python metadata: system libraries, not PyPI distributions.
    assert locations == {"numpy": "METADATA"}
    assert manifest.python_requires == SpecifierSet("==3.10.4")
    assert len(manifest.warnings) == 2
    assert any("invalid JSON" in w for w in manifest.warnings)
    assert any("2 conda packages without Python metadata (libffi, weird)" in w for w in manifest.warnings)


def test_it_reads_a_conda_environment_with_only_conda_meta(tmp_path: Path) -> None:
    write_conda_record(tmp_path, "pip", "24.0")
    write_conda_record(tmp_path, "weird", "1.0 beta")
    manifest = read_environment(tmp_path)
    (dependency,) = manifest.dependencies
    assert dependency.name == "pip" and dependency.location.line == 2
    assert any("'1.0 beta' is not a PEP 440 version" in w for w in manifest.warnings)


@pytest.mark.parametrize("name", ["empty-dir", "notes.txt", "missing"])
def test_it_refuses_a_path_that_is_not_an_environment(tmp_path: Path, name: str) -> None:
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_environment(tmp_path / name)
    assert caught.value.path == str(tmp_path / name)
    if name != "missing":
        assert "looked for pyvenv.cfg" in caught.value.message


def test_it_reads_the_environment_it_runs_in(tmp_path: Path) -> None:
    if sys.prefix != sys.base_prefix:
        root = Path(sys.prefix)
    else:  # not in a venv: read a fake one with the same packaging version
        root = tmp_path
        make_venv(root)
        add_dist(root / "lib" / "python3.12" / "site-packages", "packaging", packaging.__version__)
    found = {str(d.name): d for d in read_environment(root).dependencies}
    assert isinstance(found["packaging"], PinnedDependency)
    assert found["packaging"].version == Version(packaging.__version__)


class TestInstalledMetadataParser:
    """A single distribution's metadata."""

    def test_it_reads_a_metadata_file_with_case_insensitive_headers_first_wins(self, tmp_path: Path) -> None:
        path = tmp_path / "PKG-INFO"
        path.write_text(
            "Metadata-Version: 1.0\nNAME: First\nname: Second\nversion: 1.0\nVersion: 2.0\n", encoding="utf-8"
        )
        manifest = InstalledMetadataParser().parse(path)
        (dependency,) = manifest.dependencies
        assert isinstance(dependency, PinnedDependency)
        assert (dependency.display_name, dependency.version, dependency.location.line) == (
            "First",
            Version("1.0"),
            2,
        )
        assert dependency.direct is None and manifest.is_lock

    def test_it_reads_a_dist_info_directory_with_its_requested_marker(self, tmp_path: Path) -> None:
        dist = add_dist(tmp_path, "tool", "0.5", requested=True)
        (dependency,) = InstalledMetadataParser().parse(dist).dependencies
        assert dependency.direct is True and dependency.location.path == dist / "METADATA"
        (from_file,) = InstalledMetadataParser().parse(dist / "METADATA").dependencies
        assert from_file == dependency

    def test_it_reads_an_egg_info_directory(self, tmp_path: Path) -> None:
        egg = tmp_path / "legacy.egg-info"
        egg.mkdir()
        (egg / "PKG-INFO").write_text(metadata("legacy", "0.1"), encoding="utf-8")
        (dependency,) = InstalledMetadataParser().parse(egg).dependencies
        assert dependency.name == "legacy"

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("", "the metadata file is empty"),
            ("Name: x\n", 'the metadata has no "Version" header'),
            ("Name: x\nVersion: one\n", "version 'one' is not a PEP 440 version"),
        ],
    )
    def test_it_rejects_unusable_metadata(self, tmp_path: Path, content: str, message: str) -> None:
        path = tmp_path / "METADATA"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(InventoryError) as caught:
            InstalledMetadataParser().parse(path)
        assert str(caught.value) == f"{path}: {message}"

    def test_it_rejects_a_directory_without_metadata(self, tmp_path: Path) -> None:
        (tmp_path / "x.dist-info").mkdir()
        with pytest.raises(InventoryError, match="no METADATA or PKG-INFO file in this directory"):
            InstalledMetadataParser().parse(tmp_path / "x.dist-info")

    def test_it_claims_metadata_entries_only(self) -> None:
        parser = InstalledMetadataParser()
        assert parser.claims(Path("site/x-1.dist-info"))
        assert parser.claims(Path("site/x-1.dist-info/METADATA"))
        assert parser.claims(Path("site/x.egg/EGG-INFO/PKG-INFO"))
        assert not parser.claims(Path("sdist/PKG-INFO"))
        assert not parser.claims(Path("site/x-1.dist-info/RECORD"))


# --- dependency graph edges ------------------------------------------------------------------


def add_requiring(site: Path, name: str, *requires: str) -> None:
    dist = site / f"{name}-1.0.dist-info"
    dist.mkdir(parents=True)
    lines = "".join(f"Requires-Dist: {r}\n" for r in requires)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{lines}\n", encoding="utf-8"
    )


def test_it_records_requires_dist_edges_whose_markers_hold_in_the_environment(tmp_path: Path) -> None:
    site = make_venv(tmp_path)  # Python 3.12.1, with Requests and idna installed
    add_requiring(
        site,
        "app",
        "Requests (>=2.0)",
        'idna; python_version < "3.8"',
        'socks-lib; extra == "socks"',
        "not-installed>=1",
        "app[extra]",
        "idna; os_name ==",
    )
    add_requiring(site, "socks_lib")
    add_requiring(site, "user", 'idna ; python_version >= "3.12"', '"!')
    edges = read_environment(tmp_path).edges
    # idna is kept once through the unreadable marker, dropped by python_version < 3.8; the extra's
    # dependency, the missing package and the self-reference carry no edge.
    assert edges == (("app", "requests"), ("app", "idna"), ("user", "idna"))


def test_it_evaluates_markers_on_this_machine_when_the_python_version_is_unknown(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    add_requiring(site, "app", f'idna; python_version == "{sys.version_info[0]}.{sys.version_info[1]}"')
    add_requiring(site, "idna")
    manifest = read_environment(site)
    assert manifest.python_requires is None
    assert manifest.edges == (("app", "idna"),)
