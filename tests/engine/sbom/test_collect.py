"""What both SBOM formats are built from: merged packages, the graph's root edges, VEX entries."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine import sbom
from pysteward.engine.assessment import Assessment, IgnoredFinding, ProjectAssessment
from pysteward.engine.findings import RuntimeFinding
from pysteward.engine.model import Dependency, Edge, Location, Manifest, Severity, normalize
from pysteward.engine.sbom._collect import collect, digest
from tests.engine.sbom.conftest import Assess, cyclonedx_json_errors, spdx_errors
from tests.formats.conftest import LINUX_312, assessed, clean_assessment, pinned, vuln


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sha256:" + "AB" * 32, ("sha256", "ab" * 32)),
        ("SHA-512:" + "cd" * 64, ("sha512", "cd" * 64)),
        ("md5:" + "0f" * 16, ("md5", "0f" * 16)),
        ("sha256:abc", None),
        ("sha256:" + "zz" * 32, None),
        ("whirlpool:" + "ab" * 64, None),
        ("no-colon", None),
    ],
)
def test_it_keeps_only_well_formed_digests_of_known_algorithms(text: str, expected: object) -> None:
    assert digest(text) == expected


def _assessment(root: Path, project: ProjectAssessment) -> Assessment:
    return dataclasses.replace(clean_assessment(root), projects=(project,))


def _project(
    root: Path, deps: list[Dependency], edges: tuple[Edge, ...] = (), **kw: object
) -> ProjectAssessment:
    manifest = Manifest(path=root / "uv.lock", kind="uv.lock", dependencies=tuple(deps), edges=edges)
    return ProjectAssessment(
        path=root,
        manifests=(manifest,),
        dependencies=tuple(assessed(d, applies_to=(LINUX_312,)) for d in deps),
        runtimes=(),
        targets=(LINUX_312,),
        findings=(),
        **kw,  # type: ignore[arg-type]
    )


def test_it_merges_one_pin_named_twice_with_its_hashes_and_widest_scope(tmp_path: Path) -> None:
    dev = pinned(tmp_path, "Attrs", "24.2.0", "uv.lock", 3, scopes=("dev",), hashes=("sha256:" + "aa" * 32,))
    main = pinned(tmp_path, "attrs", "24.2.0", "requirements.txt", 1, hashes=("sha256:" + "bb" * 32, "bad"))
    content = collect(_assessment(tmp_path, _project(tmp_path, [dev, main])))
    [package] = content.packages
    assert (package.name, package.required) == ("Attrs", True)
    assert package.hashes == (("sha256", "aa" * 32), ("sha256", "bb" * 32))


def test_without_direct_dependencies_the_project_requires_the_tops_of_the_graph(tmp_path: Path) -> None:
    a, b, c = (pinned(tmp_path, n, "1.0", "uv.lock", i) for i, n in enumerate("abc"))
    content = collect(
        _assessment(tmp_path, _project(tmp_path, [a, b, c], edges=((normalize("a"), normalize("b")),)))
    )
    assert content.graph[content.root.ref] == ("pkg:pypi/a@1.0", "pkg:pypi/c@1.0")
    assert content.graph["pkg:pypi/a@1.0"] == ("pkg:pypi/b@1.0",)


def test_a_graph_that_is_all_cycle_hangs_every_package_under_the_project(tmp_path: Path) -> None:
    a, b = (pinned(tmp_path, n, "1.0", "uv.lock", i) for i, n in enumerate("ab"))
    project = _project(
        tmp_path,
        [a, b],
        edges=tuple((normalize(p), normalize(c)) for p, c in (("a", "b"), ("b", "a"), ("b", "unknown"))),
    )
    content = collect(_assessment(tmp_path, project))
    assert content.graph[content.root.ref] == ("pkg:pypi/a@1.0", "pkg:pypi/b@1.0")


def test_only_vulnerabilities_of_described_packages_become_vex_entries(tmp_path: Path) -> None:
    a = pinned(tmp_path, "a", "1.0", "uv.lock", 1)
    ghost = pinned(tmp_path, "ghost", "9.9", "elsewhere.txt", 1)
    runtime = RuntimeFinding(
        rule="steward/runtime-eol",
        severity=Severity.HIGH,
        title="Python 3.8 is end-of-life",
        locations=(Location(tmp_path / "pyproject.toml", 1),),
        python="3.8",
        status="end-of-life",
        end_of_life=date(2024, 10, 7),
        days_left=-1,
    )
    project = _project(
        tmp_path,
        [a],
        ignored=(
            IgnoredFinding(finding=runtime, rule_id="steward/runtime-eol", reason="legacy", until=None),
            IgnoredFinding(
                finding=vuln(a, "PYSEC-1", Severity.LOW), rule_id="PYSEC-1", reason="unused", until=None
            ),
        ),
    )
    project = dataclasses.replace(project, findings=(runtime, vuln(ghost, "PYSEC-2", Severity.HIGH)))
    content = collect(_assessment(tmp_path, project))
    [advisory] = content.advisories
    assert (advisory.finding.vulnerability_id, advisory.not_affected) == ("PYSEC-1", "unused")
    assert advisory.affects == ("pkg:pypi/a@1.0",)
    assert advisory.finding.version == Version("1.0")


@pytest.mark.parametrize(
    "pyproject",
    ["[project]\nname = 3\n", "project = 'text'\n", "not toml ===", "[tool.other]\n"],
)
def test_the_project_is_named_after_its_directory_without_a_usable_project_table(
    tmp_path: Path, pyproject: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    content = collect(_assessment(tmp_path, _project(tmp_path, [])))
    assert (content.root.name, content.root.version) == (tmp_path.name, None)
    assert content.graph == {content.root.ref: ()}
    assert content.generated_at.tzinfo is not None


def test_the_package_exports_its_writers_lazily() -> None:
    assert sbom.cyclonedx_json.__module__ == "pysteward.engine.sbom.cyclonedx"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        sbom.nothing  # noqa: B018


def test_an_environment_sbom_follows_requires_dist(tmp_path: Path, assessed: Assess) -> None:
    site = tmp_path / "venv" / "lib" / "python3.12" / "site-packages"
    (tmp_path / "venv" / "pyvenv.cfg").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("version = 3.12.1\n", encoding="utf-8")
    for name, requires in (("app", ["lib>=1"]), ("lib", ["six; python_version >= '3'"]), ("six", [])):
        dist = site / f"{name}-1.0.dist-info"
        dist.mkdir(parents=True)
        lines = "".join(f"Requires-Dist: {r}\n" for r in requires)
        (dist / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{lines}\n", "utf-8"
        )
    (site / "app-1.0.dist-info" / "REQUESTED").write_text("", encoding="utf-8")
    assessment = assessed(environments=(tmp_path / "venv",))
    content = collect(assessment)
    assert content.graph[content.root.ref] == ("pkg:pypi/app@1.0",)
    assert content.graph["pkg:pypi/app@1.0"] == ("pkg:pypi/lib@1.0",)
    assert content.graph["pkg:pypi/lib@1.0"] == ("pkg:pypi/six@1.0",)
    assert cyclonedx_json_errors(sbom.cyclonedx_json(assessment)) == []
    assert spdx_errors(sbom.spdx_json(assessment)) == []
