"""One set of pins written in every format reads back as the same (name, version) set and findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.advisories import import_advisories
from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.findings import VulnerabilityFinding
from pysteward.engine.inventory.interface import Parser
from pysteward.engine.inventory.pipfile_lock import PipfileLockParser
from pysteward.engine.inventory.poetry_lock import PoetryLockParser
from pysteward.engine.inventory.pylock import PylockParser
from pysteward.engine.inventory.uv_lock import UvLockParser
from pysteward.engine.model import PinnedDependency, normalize

PINS: tuple[tuple[str, str], ...] = (
    ("Django", "4.2.11"),
    ("zope.interface", "6.4.post2"),
    ("typing_extensions", "4.12.2"),
    ("Ruamel.Yaml", "0.18.6"),
    ("black", "24.1b1"),
    ("pluggy", "2.2"),
    ("PyYAML", "6.0.1"),
    ("six", "1.16.0"),
)
"""The pins every format must agree on: a pre-release, `2.2` (the same as `2.2.0`), odd name spellings."""


def _respelled(version: str) -> str:
    """The same version written another way (`2.2` as `2.2.0`), as some tools would."""
    return f"{version}.0" if version.count(".") == 1 and version.replace(".", "").isdigit() else version


_INDEX = "https://index.invalid/simple"


def _uv(pins: tuple[tuple[str, str], ...]) -> str:
    tables = [
        f'[[package]]\nname = "{name}"\nversion = "{version}"\nsource = {{ registry = "{_INDEX}" }}\n'
        for name, version in pins
    ]
    return 'version = 1\nrequires-python = ">=3.11"\n\n' + "\n".join(tables)


def _poetry(pins: tuple[tuple[str, str], ...]) -> str:
    tables = [
        f'[[package]]\nname = "{name}"\nversion = "{_respelled(version)}"\ngroups = ["main"]\n'
        for name, version in pins
    ]
    return "\n".join(tables) + '\n[metadata]\nlock-version = "2.1"\npython-versions = "^3.11"\n'


def _pipfile(pins: tuple[tuple[str, str], ...]) -> str:
    default = {name: {"hashes": [], "version": f"=={version}"} for name, version in pins}
    meta = {"requires": {"python_version": "3.11"}}
    return json.dumps({"_meta": meta, "default": default, "develop": {}}, indent=4)


def _pylock(pins: tuple[tuple[str, str], ...]) -> str:
    tables = []
    for name, version in pins:
        # PEP 751 requires normalised names, and a wheel (or sdist) for an index package.
        wheel = f"{normalize(name).replace('-', '_')}-{_respelled(version)}-py3-none-any.whl"
        tables.append(
            f'[[packages]]\nname = "{normalize(name)}"\nversion = "{_respelled(version)}"\n'
            f'index = "{_INDEX}"\n'
            f'wheels = [{{ url = "https://files.invalid/{wheel}", hashes = {{ sha256 = "00" }} }}]\n'
        )
    return 'lock-version = "1.0"\ncreated-by = "steward-tests"\n\n' + "\n".join(tables)


FORMATS: list[tuple[str, Parser, Callable[[tuple[tuple[str, str], ...]], str]]] = [
    ("uv.lock", UvLockParser(), _uv),
    ("poetry.lock", PoetryLockParser(), _poetry),
    ("Pipfile.lock", PipfileLockParser(), _pipfile),
    ("pylock.toml", PylockParser(), _pylock),
]


@pytest.mark.parametrize(("filename", "parser", "render"), FORMATS, ids=[f[0] for f in FORMATS])
def test_every_format_reads_the_same_pins(
    tmp_path: Path, filename: str, parser: Parser, render: Callable[[tuple[tuple[str, str], ...]], str]
) -> None:
    path = tmp_path / filename
    path.write_text(render(PINS), encoding="utf-8")
    manifest = parser.parse(path)
    assert all(isinstance(dependency, PinnedDependency) for dependency in manifest.dependencies)
    found = {(d.name, d.version) for d in manifest.dependencies if isinstance(d, PinnedDependency)}
    assert found == {(normalize(name), Version(version)) for name, version in PINS}
    assert manifest.warnings == ()


def test_the_pins_cover_the_awkward_cases() -> None:
    versions = [Version(version) for _, version in PINS]
    assert any(version.is_prerelease for version in versions)
    assert any(_respelled(text) != text for _, text in PINS)
    assert any(normalize(name) != name for name, _ in PINS)


# --- the same pins give the same findings ------------------------------------------------------

OSV_RECORDS = Path(__file__).resolve().parents[1] / "assets" / "osv"
"""Hand-written OSV records: ECOSYSTEM ranges, a `versions` list, a pre-release fix, odd names."""


def _requirements(pins: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"{name}=={version}\n" for name, version in pins)


ALL_FORMATS = [("requirements.txt", _requirements), *((name, render) for name, _, render in FORMATS)]


@pytest.fixture(scope="module")
def advisory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("advisories") / "advisories.sqlite3"
    import_advisories(OSV_RECORDS, path)
    return path


def _findings(
    directory: Path, filename: str, render: Callable[..., str], db: Path
) -> set[tuple[object, ...]]:
    directory.mkdir()
    path = directory / filename
    path.write_text(render(PINS), encoding="utf-8")
    assessment = assess(AssessRequest(paths=(path,), on=date(2026, 11, 22)), database=db)
    return {
        (f.package, f.version, f.vulnerability_id, f.fix_versions)
        for _, f in assessment.findings()
        if isinstance(f, VulnerabilityFinding)
    }


def test_the_same_pins_give_identical_findings_in_every_format(tmp_path: Path, advisory_db: Path) -> None:
    found = {
        filename: _findings(tmp_path / str(index), filename, render, advisory_db)
        for index, (filename, render) in enumerate(ALL_FORMATS)
    }
    reference = found["requirements.txt"]
    assert {filename: findings == reference for filename, findings in found.items()} == dict.fromkeys(
        found, True
    )
    assert {(package, vuln) for package, _, vuln, _ in reference} == {
        ("django", "PYSEC-2099-1"),  # an introduced/fixed range
        ("pyyaml", "PYSEC-2099-2"),  # a `versions` list only
        ("black", "GHSA-bk11-aaaa-0003"),  # 24.1b1 is before the pre-release fix 24.1b2
        ("six", "PYSEC-2099-4"),
        ("pluggy", "PYSEC-2099-5"),  # `2.2` and `2.2.0` are one version
        ("zope-interface", "PYSEC-2099-6"),  # the record names the package `zope-interface`
    }
    fixes = {package: fix for package, _, _, fix in reference}
    assert fixes["black"] == (Version("24.1b2"),)
    assert fixes["pyyaml"] == ()
