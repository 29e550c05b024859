"""What an SBOM says, independent of its format: the project, its packages, the dependency graph and
the vulnerabilities, gathered once from an `Assessment` for both the CycloneDX and SPDX writers.

Packages are merged across manifests and projects by identity: an index pin by (name, version), a
direct reference by its URL, an unpinned requirement (no lockfile pins it) by name alone. Each gets a
stable reference (its package URL where it has one), so the same input gives the same document.

The graph comes from `Manifest.edges`; the project's own edges (parent None) are joined by every
dependency the project names itself (`direct`), which covers formats whose lock does not record what
the project requires (poetry.lock beside pyproject.toml, requirements files).
"""

from __future__ import annotations

import re
import tomllib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from packageurl import PackageURL
from packaging.utils import NormalizedName

from pysteward.engine.assessment import Assessment, ProjectAssessment
from pysteward.engine.findings import VulnerabilityFinding
from pysteward.engine.model import (
    MAIN_SCOPE,
    Dependency,
    DirectReference,
    SourceKind,
    UnpinnedDependency,
)

__all__ = ["Advisory", "Licenses", "Package", "Project", "SbomContent", "collect", "digest"]

Licenses = Mapping[tuple[str, str], str]
"""(normalised name, version) → SPDX license expression, for the packages whose license is known."""

_HEX_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha384": 96, "sha512": 128}
_HEX = re.compile(r"^[0-9a-fA-F]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """The software the SBOM describes (or, for a monorepo, one of its projects)."""

    ref: str
    name: str
    version: str | None
    path: str
    """The project's directory relative to the assessment root (`.` for the root itself)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """One third-party package, merged over every place that names it."""

    ref: str
    name: str
    """The name as the first source wrote it."""
    version: str | None
    purl: PackageURL | None
    """None for a local path or editable install: it is not a package of the index."""
    required: bool
    """Some project installs it in its main environment (not only for dev, an extra or a group)."""
    hashes: tuple[tuple[str, str], ...]
    """(algorithm, lower-case hex digest); only algorithms with a well-formed digest are kept."""
    license: str | None
    source: SourceKind
    url: str | None
    """Where a direct reference comes from (with `@commit` for a resolved VCS reference)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    """One vulnerability as it stands for a set of packages: under triage, or not affecting them."""

    finding: VulnerabilityFinding
    affects: tuple[str, ...]
    """Package references."""
    not_affected: str | None
    """The ignore's reason when an ignore rule hides it; None while it is open (in triage)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SbomContent:
    """Everything both SBOM formats render."""

    root: Project
    projects: tuple[Project, ...]
    """The projects of a monorepo below the root; empty when the root is the only project."""
    packages: tuple[Package, ...]
    graph: Mapping[str, tuple[str, ...]]
    """Reference → the references it depends on, for the root, every project and every package."""
    advisories: tuple[Advisory, ...]
    generated_at: datetime
    tool_version: str
    serial: uuid.UUID
    """Derived from the root's name and the time, so a document can be regenerated identically."""


def digest(text: str) -> tuple[str, str] | None:
    """`sha256:ABC…` → (`sha256`, `abc…`), or None for an unknown algorithm or a malformed digest."""
    algorithm, _, value = text.partition(":")
    algorithm = algorithm.strip().lower().replace("-", "")
    value = value.strip()
    if _HEX_LENGTHS.get(algorithm) != len(value) or not _HEX.match(value):
        return None
    return algorithm, value.lower()


@dataclass(slots=True)
class _Merged:
    """A package while the assessment's dependencies are being merged into it."""

    first: Dependency
    version: str | None
    purl: PackageURL | None
    url: str | None
    required: bool = False
    hashes: dict[tuple[str, str], None] = field(default_factory=dict)

    def freeze(self, ref: str, licenses: Licenses) -> Package:
        return Package(
            ref=ref,
            name=self.first.display_name,
            version=self.version,
            purl=self.purl,
            required=self.required,
            hashes=tuple(self.hashes),
            license=licenses.get((self.first.name, self.version)) if self.version else None,
            source=self.first.source,
            url=self.url,
        )


class _Builder:
    """Packages and edges being merged from the assessment's projects."""

    def __init__(self) -> None:
        self.packages: dict[str, _Merged] = {}
        self.graph: dict[str, dict[str, None]] = {}

    def add(self, dependency: Dependency) -> str:
        """Merge one dependency in; its package reference."""
        ref, version, purl, url = _identity(dependency)
        merged = self.packages.get(ref)
        if merged is None:
            merged = self.packages[ref] = _Merged(dependency, version, purl, url)
            self.graph[ref] = {}
        merged.required = merged.required or MAIN_SCOPE in dependency.scopes
        merged.hashes.update((pair, None) for text in dependency.hashes if (pair := digest(text)))
        return ref

    def link(self, parent: str, children: Iterable[str]) -> None:
        """Record that `parent` depends on each of `children`."""
        self.graph.setdefault(parent, {}).update(dict.fromkeys(c for c in children if c != parent))

    def frozen(self, licenses: Licenses) -> tuple[tuple[Package, ...], dict[str, tuple[str, ...]]]:
        """The merged packages, sorted by name, and the graph with sorted children."""
        order = sorted(self.packages, key=lambda ref: (self.packages[ref].first.name, ref))
        packages = tuple(self.packages[ref].freeze(ref, licenses) for ref in order)
        return packages, {ref: tuple(sorted(children)) for ref, children in sorted(self.graph.items())}


def _identity(dependency: Dependency) -> tuple[str, str | None, PackageURL | None, str | None]:
    """(reference, version, package URL, source URL) of one dependency."""
    version = getattr(dependency, "version", None)
    text = str(version) if version is not None else None
    if isinstance(dependency, DirectReference):
        url = dependency.url
        if dependency.commit and not url.endswith(f"@{dependency.commit}"):
            url = f"{url}@{dependency.commit}"  # the resolved commit, as pip's VCS URLs write it
        if dependency.kind in (SourceKind.PATH, SourceKind.EDITABLE):
            return f"{dependency.name}@{dependency.kind}:{dependency.url}", text, None, url
        qualifier = "vcs_url" if dependency.kind is SourceKind.VCS else "download_url"
        purl = PackageURL(type="pypi", name=dependency.name, version=text, qualifiers={qualifier: url})
        return purl.to_string(), text, purl, url
    purl = PackageURL(type="pypi", name=dependency.name, version=text)
    return purl.to_string(), text, purl, None


def assessed_licenses(assessment: Assessment) -> dict[tuple[str, str], str]:
    """The SPDX expressions the assessment's license checks found, by (name, version)."""
    return {
        (assessed.dependency.name, str(assessed.version)): assessed.license.expression
        for project in assessment.projects
        for assessed in project.dependencies
        if assessed.license is not None and assessed.license.spdx and assessed.version is not None
    }


def collect(assessment: Assessment, licenses: Licenses | None = None) -> SbomContent:
    """The SBOM content of `assessment`; `licenses` gives the packages' SPDX license expressions."""
    builder = _Builder()
    projects = [_project(assessment, project) for project in assessment.projects]
    advisories: dict[tuple[str, str | None], tuple[VulnerabilityFinding, dict[str, None]]] = {}
    for project, item in zip(assessment.projects, projects, strict=True):
        _add_project(builder, project, item.ref)
        for finding, reason in _vulnerabilities(project):
            ref = PackageURL(type="pypi", name=finding.package, version=str(finding.version)).to_string()
            if ref in builder.packages:
                entry = advisories.setdefault((finding.vulnerability_id, reason), (finding, {}))
                entry[1][ref] = None
    root = projects[0] if len(projects) == 1 else _root(assessment)
    if len(projects) > 1:
        builder.link(root.ref, (p.ref for p in projects))
    packages, graph = builder.frozen(licenses if licenses is not None else assessed_licenses(assessment))
    return SbomContent(
        root=root,
        projects=tuple(projects) if len(projects) > 1 else (),
        packages=packages,
        graph=graph,
        advisories=tuple(
            Advisory(finding=finding, affects=tuple(sorted(refs)), not_affected=reason)
            for (_, reason), (finding, refs) in sorted(
                advisories.items(), key=lambda i: (i[0][0], i[0][1] or "")
            )
        ),
        generated_at=_aware(assessment.generated_at),
        tool_version=assessment.tool_version,
        serial=uuid.uuid5(uuid.NAMESPACE_URL, f"steward:{root.name}:{_aware(assessment.generated_at)}"),
    )


def _add_project(builder: _Builder, project: ProjectAssessment, project_ref: str) -> None:
    """The project's packages, its edges, and the edges from the project itself."""
    by_name: dict[NormalizedName, list[str]] = {}
    direct: set[NormalizedName] = set()
    for assessed in project.dependencies:
        dependency = assessed.dependency
        if isinstance(dependency, UnpinnedDependency) and assessed.locked:
            continue  # the lockfile's entry for it stands in its place
        by_name.setdefault(dependency.name, []).append(builder.add(dependency))
        if dependency.direct:
            direct.add(dependency.name)
    incoming: set[str] = set()
    for manifest in project.manifests:
        for parent, child in manifest.edges:
            if parent is None:
                direct.add(child)
                continue
            children = by_name.get(child, [])
            incoming.update(children)
            for ref in by_name.get(parent, []):
                builder.link(ref, children)
    tops = [ref for name in sorted(direct) for ref in by_name.get(name, [])]
    if not tops:
        # Nothing says what the project requires itself: it requires the tops of the graph.
        everything = [ref for refs in by_name.values() for ref in refs]
        tops = [ref for ref in everything if ref not in incoming] or everything
    builder.link(project_ref, tops)


def _vulnerabilities(project: ProjectAssessment) -> Iterable[tuple[VulnerabilityFinding, str | None]]:
    """(finding, ignore reason or None) for every vulnerability, reported or ignored."""
    for finding in project.findings:
        if isinstance(finding, VulnerabilityFinding):
            yield finding, None
    for ignored in project.ignored:
        if isinstance(ignored.finding, VulnerabilityFinding):
            until = f" (ignored until {ignored.until})" if ignored.until else ""
            yield ignored.finding, f"{ignored.reason}{until}"


def _project(assessment: Assessment, project: ProjectAssessment) -> Project:
    """The project's name and version from pyproject.toml's `[project]` table, else its directory's name."""
    path = assessment.relative(project.path)
    name, version = _declared(project.path / "pyproject.toml")
    name = name or project.path.resolve().name or "project"
    return Project(ref=f"project:{path}", name=name, version=version, path=path)


def _root(assessment: Assessment) -> Project:
    name = assessment.root.resolve().name or "workspace"
    return Project(ref="project:", name=name, version=None, path=".")


def _declared(pyproject: Path) -> tuple[str | None, str | None]:
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, None
    if not isinstance(table, dict):
        return None, None
    name, version = table.get("name"), table.get("version")
    return (name if isinstance(name, str) else None), (version if isinstance(version, str) else None)


def _aware(moment: datetime) -> datetime:
    """`moment` with a time zone; a naive time is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
