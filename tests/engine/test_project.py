"""`assess_project`: one project's manifests, vulnerabilities, lock coverage, ordering and ignores."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.advisories import Vulnerability
from pysteward.engine.assessment import ProjectAssessment
from pysteward.engine.config import Config, Ignore
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
    dependency_title,
)
from pysteward.engine.model import (
    DirectReference,
    Location,
    Manifest,
    PinnedDependency,
    Severity,
    SourceKind,
    UnpinnedDependency,
    normalize,
)
from pysteward.engine.project import ProjectInput, assess_project
from pysteward.engine.runtime import ReleaseCycle
from pysteward.engine.vulnerabilities import Pin

ON = date(2026, 11, 22)
ROOT = Path("/project")
REQS = ROOT / "requirements.txt"
LOCK = ROOT / "uv.lock"


def pinned(
    name: str, version: str, path: Path = REQS, line: int = 1, marker: str | None = None
) -> PinnedDependency:
    return PinnedDependency(
        name=normalize(name),
        display_name=name,
        location=Location(path, line),
        version=Version(version),
        marker=Marker(marker) if marker else None,
    )


def vulnerability(
    vuln_id: str, severity: Severity, *fixes: str, aliases: tuple[str, ...] = ()
) -> Vulnerability:
    return Vulnerability(
        id=vuln_id,
        aliases=aliases,
        records=(vuln_id,),
        summary="s",
        details="d",
        severity=severity,
        score=None,
        vector=None,
        fix_versions=tuple(Version(f) for f in fixes),
        published=None,
        modified=None,
        references=(),
        malicious=severity is Severity.MALICIOUS,
    )


def project(
    *manifests: Manifest,
    config: Config | None = None,
    known: Mapping[Pin, tuple[Vulnerability, ...]] | None = None,
) -> ProjectAssessment:
    item = ProjectInput(ROOT, manifests, (), detect=False)
    return assess_project(
        item,
        config=config or Config(python_versions=("3.12",)),
        cycle=ReleaseCycle.load(),
        vulnerabilities=known or {},
        on=ON,
    )


def test_pins_are_the_exact_index_versions_of_every_manifest() -> None:
    url = DirectReference(
        name=normalize("x"),
        display_name="x",
        location=Location(REQS, 3),
        kind=SourceKind.URL,
        url="https://x.invalid",
    )
    item = ProjectInput(
        ROOT,
        (
            Manifest(path=REQS, kind="requirements", dependencies=(pinned("A", "1.0"), url)),
            Manifest(path=LOCK, kind="uv.lock", dependencies=(pinned("a", "1.0.0", LOCK),), is_lock=True),
        ),
        (),
        detect=True,
    )
    assert item.pins() == {("a", Version("1.0"))}


def test_findings_are_ordered_by_severity_and_one_vulnerability_lists_every_location() -> None:
    requirements = Manifest(
        path=REQS,
        kind="requirements",
        dependencies=(pinned("low-pkg", "1.0", line=1), pinned("High-Pkg", "2.0", line=2)),
        warnings=("requirements.txt:9: option ignored",),
    )
    lock = Manifest(
        path=LOCK, kind="uv.lock", dependencies=(pinned("high-pkg", "2.0", LOCK, 7),), is_lock=True
    )
    known: dict[Pin, tuple[Vulnerability, ...]] = {
        (normalize("low-pkg"), Version("1.0")): (vulnerability("V-LOW", Severity.LOW, "1.1"),),
        (normalize("high-pkg"), Version("2.0")): (vulnerability("V-HIGH", Severity.HIGH),),
    }
    result = project(requirements, lock, known=known)
    assert [f.rule for f in result.findings] == ["V-HIGH", "V-LOW"]
    high = result.findings[0]
    assert isinstance(high, VulnerabilityFinding)
    assert high.locations == (Location(REQS, 2), Location(LOCK, 7))
    assert high.title == "High-Pkg 2.0: V-HIGH; no fix released"
    assert result.warnings == ("requirements.txt:9: option ignored",)
    assert [r.python for r in result.runtimes] == ["3.12"]


def test_a_dependency_repeated_in_one_manifest_counts_once() -> None:
    twice = Manifest(path=REQS, kind="requirements", dependencies=(pinned("a", "1.0"), pinned("a", "1.0")))
    assert len(project(twice).dependencies) == 1


def test_an_unpinned_requirement_is_locked_by_a_pin_or_a_direct_reference_in_a_lockfile() -> None:
    def unpinned(name: str, spec: str = "") -> UnpinnedDependency:
        return UnpinnedDependency(
            name=normalize(name), display_name=name, location=Location(REQS, 1), specifier=SpecifierSet(spec)
        )

    reference = DirectReference(
        name=normalize("vcs-pkg"),
        display_name="vcs-pkg",
        location=Location(LOCK, 4),
        kind=SourceKind.VCS,
        url="git+https://git.invalid/vcs-pkg",
    )
    manifest = Manifest(
        path=REQS,
        kind="requirements",
        dependencies=(unpinned("a", ">=1"), unpinned("vcs-pkg"), unpinned("b")),
    )
    lock = Manifest(
        path=LOCK, kind="uv.lock", dependencies=(pinned("a", "1.5", LOCK), reference), is_lock=True
    )
    not_a_lock = Manifest(
        path=ROOT / "setup.cfg", kind="setup.cfg", dependencies=(pinned("b", "1.0", ROOT / "setup.cfg"),)
    )
    result = project(manifest, lock, not_a_lock)
    locked = {
        d.dependency.name: d.locked
        for d in result.dependencies
        if isinstance(d.dependency, UnpinnedDependency)
    }
    assert locked == {"a": True, "vcs-pkg": True, "b": False}
    assert [f.dependency.name for f in result.findings if isinstance(f, UnpinnedFinding)] == ["b"]
    [unresolvable] = [f for f in result.findings if isinstance(f, UnresolvableFinding)]
    assert (
        unresolvable.title
        == "vcs-pkg: vcs reference, not checked against the index (git+https://git.invalid/vcs-pkg)"
    )


def test_a_finding_matching_several_ignores_uses_the_first_and_an_expired_rule_reports_once() -> None:
    manifest = Manifest(
        path=REQS, kind="requirements", dependencies=(pinned("a", "1.0"), pinned("b", "1.0", line=2))
    )
    shared = vulnerability("V-1", Severity.MEDIUM, aliases=("CVE-1",))
    known: dict[Pin, tuple[Vulnerability, ...]] = {
        (normalize("a"), Version("1.0")): (shared,),
        (normalize("b"), Version("1.0")): (vulnerability("V-2", Severity.LOW, aliases=("CVE-1",)),),
    }
    config = Config(
        python_versions=("3.12",),
        ignores=(Ignore(id="CVE-1", reason="old", until=date(2026, 1, 1)), Ignore(id="V-1", reason="unused")),
    )
    result = project(manifest, config=config, known=known)
    expired = [f for f in result.findings if isinstance(f, ExpiredIgnoreFinding)]
    assert len(expired) == 1
    assert expired[0].locations == ()  # the rules came from no file
    assert {f.rule for f in result.findings if isinstance(f, VulnerabilityFinding)} == {"V-1", "V-2"}
    assert result.ignored == ()


def test_dependency_titles_show_the_specifier_or_the_url() -> None:
    bare = UnpinnedDependency(name=normalize("a"), display_name="A", location=Location(REQS))
    ranged = UnpinnedDependency(
        name=normalize("a"), display_name="A", location=Location(REQS), specifier=SpecifierSet(">=1")
    )
    url = DirectReference(
        name=normalize("a"),
        display_name="A",
        location=Location(REQS),
        kind=SourceKind.URL,
        url="https://x.invalid/a.whl",
    )
    assert [dependency_title(d) for d in (bare, ranged, url, pinned("A", "1.0"))] == [
        "A",
        "A>=1",
        "A @ https://x.invalid/a.whl",
        "A",
    ]


def test_every_kind_of_finding_names_its_kind() -> None:
    base = Finding(rule="r", severity=Severity.INFO, title="t", locations=())
    assert base.kind == "finding"


def test_a_vulnerability_says_on_which_targets_its_dependency_is_installed() -> None:
    windows_only = 'sys_platform == "win32"'
    requirements = Manifest(
        path=REQS,
        kind="requirements",
        dependencies=(pinned("pywin", "1.0", line=1, marker=windows_only), pinned("every", "1.0", line=2)),
    )
    lock = Manifest(
        path=LOCK,
        kind="uv.lock",
        dependencies=(pinned("every", "1.0", LOCK, 3, marker='python_version >= "3.13"'),),
        is_lock=True,
    )
    known: dict[Pin, tuple[Vulnerability, ...]] = {
        (normalize("pywin"), Version("1.0")): (vulnerability("V-WIN", Severity.HIGH),),
        (normalize("every"), Version("1.0")): (vulnerability("V-ALL", Severity.LOW),),
    }
    result = project(requirements, lock, known=known, config=Config(python_versions=("3.12", "3.13")))
    found = {f.rule: f for f in result.findings if isinstance(f, VulnerabilityFinding)}
    assert not found["V-WIN"].all_targets
    assert [str(t) for t in found["V-WIN"].applies_to] == ["3.12/windows", "3.13/windows"]
    # Pinned unconditionally in requirements.txt, so the union covers every target.
    assert found["V-ALL"].all_targets and found["V-ALL"].applies_to == ()


def test_an_expired_ignore_points_at_its_line_in_the_configuration() -> None:
    manifest = Manifest(path=REQS, kind="requirements", dependencies=(pinned("a", "1.0"),))
    known: dict[Pin, tuple[Vulnerability, ...]] = {
        (normalize("a"), Version("1.0")): (vulnerability("V-1", Severity.MEDIUM),)
    }
    steward_toml = ROOT / "steward.toml"
    config = Config(
        python_versions=("3.12",),
        ignores=(Ignore(id="V-1", reason="old", until=date(2026, 1, 1), line=4),),
        source=steward_toml,
    )
    (expired,) = [
        f for f in project(manifest, config=config, known=known).findings if f.kind == "expired-ignore"
    ]
    assert expired.locations == (Location(steward_toml, 4),)
