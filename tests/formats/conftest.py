"""Hand-built assessments the format tests render.

`sample_assessment` is a realistic monorepo of two projects:

- `.` (a web app): requirements.txt pins jinja2 2.10 (two vulnerabilities, one with CVSS, one
  without score), urllib3 1.26.0 with hashes (a vulnerability of unknown severity, no fix), and the
  typosquat `reqeusts` 1.0 (malicious); `requests>=2` is unpinned; `shared` is an editable path;
  `py` 1.11.0 has an ignored vulnerability and has had no release for years (health); Python 3.8 is
  end-of-life; steward.toml has an expired ignore; `reqeusts` is GPL-3.0 in an Apache-2.0 project.
- `services/api`: uv.lock pins werkzeug 2.0.0 (critical, two fix versions) and flask 2.0.0, which
  pyproject.toml lists unpinned but locked; a legacy module uses Python 2 syntax; Bandit finds a
  `shell=True` subprocess call in app.py.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.assessment import (
    AssessedDependency,
    Assessment,
    DatabaseInfo,
    FailOn,
    IgnoredFinding,
    ProjectAssessment,
    RuntimeVersion,
)
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    HealthFinding,
    LicenseFinding,
    Python2Finding,
    RuntimeFinding,
    SastFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Manifest,
    PinnedDependency,
    Platform,
    Severity,
    SourceKind,
    Target,
    UnpinnedDependency,
    normalize,
)

ON = date(2026, 11, 22)
LINUX_312 = Target("3.12", Platform.LINUX)
TARGETS_WEB = (Target("3.8", Platform.LINUX), Target("3.12", Platform.LINUX))
TARGETS_API = (Target("3.12", Platform.LINUX), Target("3.12", Platform.WINDOWS))


def pinned(
    root: Path, name: str, version: str, file: str, line: int | None, **kw: object
) -> PinnedDependency:
    """A pinned dependency at `file:line` below `root`."""
    return PinnedDependency(
        name=normalize(name),
        display_name=name,
        location=Location(root / file, line),
        version=Version(version),
        **kw,  # type: ignore[arg-type]
    )


def vuln(
    dep: PinnedDependency,
    vid: str,
    severity: Severity,
    *,
    fixes: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    score: float | None = None,
    vector: str | None = None,
    summary: str = "",
    details: str = "",
) -> VulnerabilityFinding:
    """A vulnerability finding located where `dep` is pinned."""
    return VulnerabilityFinding(
        rule=vid,
        severity=severity,
        title=f"{dep.display_name} {dep.version}: {vid}",
        locations=(dep.location,),
        package=dep.name,
        version=dep.version,
        vulnerability_id=vid,
        aliases=aliases,
        summary=summary,
        details=details,
        fix_versions=tuple(Version(v) for v in fixes),
        score=score,
        vector=vector,
    )


def assessed(dep: Dependency, *vulns: VulnerabilityFinding, **kw: object) -> AssessedDependency:
    """An assessed dependency applying to every target unless told otherwise."""
    options: dict[str, object] = {"applies_to": TARGETS_WEB, "all_targets": True} | kw
    return AssessedDependency(dependency=dep, vulnerabilities=vulns, **options)  # type: ignore[arg-type]


def _web(root: Path) -> ProjectAssessment:
    req = "requirements.txt"
    jinja = pinned(root, "Jinja2", "2.10", req, 3, direct=True)
    urllib3 = pinned(root, "urllib3", "1.26.0", req, 5, direct=True, hashes=("sha256:" + "ab" * 32,))
    typo = pinned(root, "reqeusts", "1.0", req, 7, direct=True)
    py = pinned(root, "py", "1.11.0", req, 8, direct=True)
    django = pinned(root, "Django", "3.2.0", req, 9, direct=True, marker=Marker('python_version < "3.12"'))
    requests = UnpinnedDependency(
        name=normalize("requests"),
        display_name="requests",
        location=Location(root / req, 4),
        specifier=SpecifierSet(">=2"),
        direct=True,
        requirement="requests>=2",
    )
    shared = DirectReference(
        name=normalize("shared"),
        display_name="shared",
        location=Location(root / req, 10),
        kind=SourceKind.EDITABLE,
        url="./libs/shared",
        direct=True,
    )
    jinja_high = vuln(
        jinja,
        "PYSEC-2019-217",
        Severity.HIGH,
        fixes=("2.10.1",),
        aliases=("GHSA-462w-v97r-4m45", "CVE-2019-10906"),
        score=8.6,
        vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        summary="Jinja2 sandbox escape via str.format_map",
        details="In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.",
    )
    jinja_medium = vuln(
        jinja,
        "GHSA-h5c8-rqwp-cp95",
        Severity.MEDIUM,
        fixes=("3.1.3",),
        aliases=("CVE-2024-22195",),
        summary="Jinja vulnerable to HTML attribute injection | xmlattr",
    )
    urllib3_unknown = vuln(urllib3, "PYSEC-2023-999", Severity.UNKNOWN, summary="")
    malicious = vuln(typo, "MAL-2024-1234", Severity.MALICIOUS, summary="Malicious code in reqeusts (PyPI)")
    ignored_py = vuln(
        py, "PYSEC-2022-42969", Severity.MEDIUM, summary="ReDoS in py", aliases=("CVE-2022-42969",)
    )
    eol = RuntimeFinding(
        rule="steward/runtime-eol",
        severity=Severity.HIGH,
        title="Python 3.8 reached end of life on 2024-10-07",
        locations=(Location(root / "pyproject.toml", 6),),
        python="3.8",
        status="end-of-life",
        end_of_life=date(2024, 10, 7),
        days_left=(date(2024, 10, 7) - ON).days,
    )
    expired = ExpiredIgnoreFinding(
        rule="steward/expired-ignore",
        severity=Severity.LOW,
        title="ignore of GHSA-h5c8-rqwp-cp95 expired on 2026-10-01",
        locations=(Location(root / "steward.toml", 12),),
        ignored_id="GHSA-h5c8-rqwp-cp95",
        until=date(2026, 10, 1),
        reason="waiting for upstream",
    )
    unpinned = UnpinnedFinding(
        rule="steward/unpinned",
        severity=Severity.INFO,
        title="requests>=2 is not pinned",
        locations=(requests.location,),
        dependency=requests,
    )
    unresolvable = UnresolvableFinding(
        rule="steward/unresolvable",
        severity=Severity.INFO,
        title="shared @ ./libs/shared cannot be checked",
        locations=(shared.location,),
        dependency=shared,
    )
    gpl = LicenseFinding(
        rule="steward/license-incompatible",
        severity=Severity.MEDIUM,
        title="reqeusts 1.0 is GPL-3.0-only (strong copyleft), incompatible with the project's Apache-2.0",
        locations=(typo.location,),
        package=typo.name,
        version=typo.version,
        license="GPL-3.0-only",
        license_class="strong-copyleft",
        reason="incompatible",
    )
    stale = HealthFinding(
        rule="steward/health-stale",
        severity=Severity.LOW,
        title="py has had no release for 60 months",
        locations=(py.location,),
        package=py.name,
        version=py.version,
        check="stale",
        detail="last release 1.11.0 on 2021-11-04 (1,844 days ago)",
    )
    deps = (
        (jinja, (jinja_high, jinja_medium)),
        (urllib3, (urllib3_unknown,)),
        (typo, (malicious,)),
        (py, ()),
        (requests, ()),
        (shared, ()),
    )
    return ProjectAssessment(
        path=root,
        manifests=(
            Manifest(
                path=root / req,
                kind="requirements",
                dependencies=(jinja, urllib3, typo, py, django, requests, shared),
            ),
            Manifest(
                path=root / "pyproject.toml",
                kind="pyproject",
                dependencies=(),
                python_requires=SpecifierSet(">=3.8"),
            ),
        ),
        dependencies=(
            *(assessed(d, *v) for d, v in deps),
            assessed(django, applies_to=(TARGETS_WEB[0],), all_targets=False),
        ),
        runtimes=(
            RuntimeVersion(
                python="3.12",
                status="bugfix",
                first_release=date(2023, 10, 2),
                end_of_life=date(2028, 10, 1),
                days_left=(date(2028, 10, 1) - ON).days,
                approximate=True,
                declared_by=(Location(root / ".python-version", 1),),
                sources=("python-version",),
            ),
            RuntimeVersion(
                python="3.8",
                status="end-of-life",
                first_release=date(2019, 10, 14),
                end_of_life=date(2024, 10, 7),
                days_left=(date(2024, 10, 7) - ON).days,
                approximate=False,
                declared_by=(Location(root / "pyproject.toml", 6),),
                sources=("requires-python",),
            ),
        ),
        targets=TARGETS_WEB,
        findings=(
            unpinned,
            jinja_medium,
            eol,
            malicious,
            jinja_high,
            urllib3_unknown,
            unresolvable,
            expired,
            gpl,
            stale,
        ),
        ignored=(
            IgnoredFinding(
                finding=ignored_py,
                rule_id="PYSEC-2022-42969",
                reason="not reachable: we never parse SVN",
                until=date(2027, 1, 1),
            ),
        ),
        warnings=("requirements.txt:11: unknown option --trusted-host ignored",),
    )


def _api(root: Path) -> ProjectAssessment:
    base = root / "services" / "api"
    lock = "services/api/uv.lock"
    werkzeug = pinned(root, "Werkzeug", "2.0.0", lock, 40, direct=False, hashes=("sha256:" + "cd" * 32,))
    flask_locked = pinned(root, "Flask", "2.0.0", lock, 20, direct=True)
    flask = UnpinnedDependency(
        name=normalize("flask"),
        display_name="Flask",
        location=Location(base / "pyproject.toml", 8),
        specifier=SpecifierSet(">=2"),
        direct=True,
    )
    critical = vuln(
        werkzeug,
        "GHSA-xg9f-g7g7-2323",
        Severity.CRITICAL,
        fixes=("2.2.3", "3.0.1"),
        aliases=("CVE-2023-25577",),
        score=9.8,
        summary="High resource usage when parsing multipart form data",
        details="Werkzeug's multipart form data parser will parse an unlimited number of parts.",
    )
    py2 = Python2Finding(
        rule="steward/python2",
        severity=Severity.MEDIUM,
        title="services/api/legacy.py uses Python 2 syntax (print statement)",
        locations=(Location(base / "legacy.py", 3),),
        evidence="print statement",
    )
    shell = SastFinding(
        rule="B602",
        severity=Severity.HIGH,
        title="subprocess call with shell=True identified, security issue.",
        locations=(Location(base / "app.py", 14),),
        test_name="subprocess_popen_with_shell_equals_true",
        confidence="high",
        code='subprocess.call(f"convert {name}", shell=True)',
        more_info="https://bandit.readthedocs.invalid/plugins/b602_subprocess_popen_with_shell_equals_true.html",
    )
    api_targets = {"applies_to": TARGETS_API, "all_targets": True}
    return ProjectAssessment(
        path=base,
        manifests=(
            Manifest(path=base / "pyproject.toml", kind="pyproject", dependencies=(flask,)),
            Manifest(
                path=base / "uv.lock", kind="uv.lock", dependencies=(flask_locked, werkzeug), is_lock=True
            ),
        ),
        dependencies=(
            assessed(flask, locked=True, **api_targets),
            assessed(flask_locked, **api_targets),
            assessed(werkzeug, critical, **api_targets),
        ),
        runtimes=(
            RuntimeVersion(
                python="3.12",
                status="bugfix",
                first_release=date(2023, 10, 2),
                end_of_life=date(2028, 10, 1),
                days_left=(date(2028, 10, 1) - ON).days,
                approximate=True,
                declared_by=(Location(base / "pyproject.toml", 3),),
                sources=("requires-python",),
            ),
        ),
        targets=TARGETS_API,
        findings=(py2, critical, shell),
    )


def sample_assessment(root: Path, *, fail_on: FailOn = FailOn.VULNERABILITY) -> Assessment:
    """The two-project sample described in the module docstring."""
    return Assessment(
        projects=(_web(root), _api(root)),
        generated_at=datetime(2026, 11, 22, 9, 30, tzinfo=UTC),
        on=ON,
        database=DatabaseInfo(
            source="osv:PyPI all.zip",
            records=17423,
            newest_modified=datetime(2026, 11, 20, 18, 4, 5, tzinfo=UTC),
            imported_at=datetime(2026, 11, 21, 7, 0, tzinfo=UTC),
        ),
        release_cycle_as_of=date(2026, 11, 1),
        fail_on=fail_on,
        tool_version="0.1.0",
        root=root,
        warnings=("advisory database is 2 days old",),
        not_checked=("typosquat",),
    )


def clean_assessment(root: Path) -> Assessment:
    """One project with one safe pinned dependency and nothing to report."""
    dep = pinned(root, "attrs", "24.2.0", "requirements.txt", 1, direct=True)
    project = ProjectAssessment(
        path=root,
        manifests=(Manifest(path=root / "requirements.txt", kind="requirements", dependencies=(dep,)),),
        dependencies=(assessed(dep, applies_to=(LINUX_312,)),),
        runtimes=(),
        targets=(LINUX_312,),
        findings=(),
    )
    return Assessment(
        projects=(project,),
        generated_at=datetime(2026, 11, 22, 9, 30),
        on=ON,
        database=None,
        release_cycle_as_of=date(2026, 11, 1),
        fail_on=FailOn.VULNERABILITY,
        tool_version="0.1.0",
        root=root,
    )


@pytest.fixture
def sample(tmp_path: Path) -> Assessment:
    """The realistic two-project sample, rooted in a temporary directory."""
    return sample_assessment(tmp_path)


@pytest.fixture
def clean(tmp_path: Path) -> Assessment:
    """An assessment with no findings at all."""
    return clean_assessment(tmp_path)


def huge_assessment(root: Path, n: int) -> Assessment:
    """One project with `n` vulnerable pins and `n` unpinned requirements: far too much for a comment."""
    pins = [pinned(root, f"package-{i}", f"1.{i}", "requirements.txt", i + 1) for i in range(n)]
    vulns = [
        vuln(dep, f"PYSEC-2026-{i}", Severity.HIGH, fixes=(f"2.{i}",), summary="overflow " * 40)
        for i, dep in enumerate(pins)
    ]
    loose = [
        UnpinnedDependency(
            name=normalize(f"loose-{i}"),
            display_name=f"loose-{i}",
            location=Location(root / "requirements.in", i + 1),
            specifier=SpecifierSet(">=1"),
        )
        for i in range(n)
    ]
    unpinned = [
        UnpinnedFinding(
            rule="steward/unpinned",
            severity=Severity.INFO,
            title=f"{d.name} is not pinned",
            locations=(d.location,),
            dependency=d,
        )
        for d in loose
    ]
    project = ProjectAssessment(
        path=root,
        manifests=(
            Manifest(path=root / "requirements.txt", kind="requirements", dependencies=(*pins, *loose)),
        ),
        dependencies=(
            *(assessed(d, v) for d, v in zip(pins, vulns, strict=True)),
            *(assessed(d) for d in loose),
        ),
        runtimes=(),
        targets=TARGETS_WEB,
        findings=(*vulns, *unpinned),
    )
    return dataclasses.replace(clean_assessment(root), projects=(project,))
