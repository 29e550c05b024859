"""CycloneDX 1.6 SBOMs (JSON and XML) with cyclonedx-python-lib.

The BOM holds the project as `metadata.component`, every package as a `library` component (package
URL, hashes, license, scope), the dependency graph, and a `vulnerabilities` section that doubles as
a VEX statement: a reported vulnerability is `in_triage`, one an ignore rule hides is `not_affected`
with the rule's reason as the analysis detail.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from decimal import Decimal

from cyclonedx.contrib.license.factories import LicenseFactory
from cyclonedx.exception.model import InvalidUriException
from cyclonedx.model import ExternalReference, ExternalReferenceType, HashAlgorithm, HashType, XsUri
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.impact_analysis import ImpactAnalysisState
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAdvisory,
    VulnerabilityAnalysis,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.output.xml import XmlV1Dot6

from pysteward.engine.assessment import Assessment
from pysteward.engine.model import Severity, SourceKind
from pysteward.engine.sbom._collect import Advisory, Licenses, Package, Project, SbomContent, collect

__all__ = ["cyclonedx_bom", "cyclonedx_json", "cyclonedx_xml"]

OSV_URL = "https://osv.dev/vulnerability/"

_HASHES = {
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
}
_SEVERITIES = {
    Severity.INFO: VulnerabilitySeverity.INFO,
    Severity.UNKNOWN: VulnerabilitySeverity.UNKNOWN,
    Severity.LOW: VulnerabilitySeverity.LOW,
    Severity.MEDIUM: VulnerabilitySeverity.MEDIUM,
    Severity.HIGH: VulnerabilitySeverity.HIGH,
    Severity.CRITICAL: VulnerabilitySeverity.CRITICAL,
    Severity.MALICIOUS: VulnerabilitySeverity.CRITICAL,
}
_METHODS = (
    ("CVSS:4.", VulnerabilityScoreSource.CVSS_V4),
    ("CVSS:3.1/", VulnerabilityScoreSource.CVSS_V3_1),
    ("CVSS:3.", VulnerabilityScoreSource.CVSS_V3),
    ("AV:", VulnerabilityScoreSource.CVSS_V2),
)
_REFERENCE_TYPES = {
    SourceKind.VCS: ExternalReferenceType.VCS,
    SourceKind.URL: ExternalReferenceType.DISTRIBUTION,
}


def cyclonedx_bom(assessment: Assessment, *, licenses: Licenses | None = None) -> Bom:
    """The CycloneDX BOM of `assessment`; `licenses` maps (name, version) to SPDX expressions."""
    content = collect(assessment, licenses)
    bom = Bom(serial_number=content.serial)
    bom.metadata.timestamp = content.generated_at
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="steward", version=content.tool_version)
    )
    root = _project(content.root)
    bom.metadata.component = root
    refs = {content.root.ref: root}
    components = [_project(project) for project in content.projects]
    refs.update(
        (project.ref, component) for project, component in zip(content.projects, components, strict=True)
    )
    factory = LicenseFactory()
    for package in content.packages:
        component = _component(package, factory)
        refs[package.ref] = component
        components.append(component)
    bom.components = components
    bom.dependencies = _dependencies(content, refs)
    bom.vulnerabilities = [
        _vulnerability(advisory, index) for index, advisory in enumerate(content.advisories)
    ]
    return bom


def cyclonedx_json(assessment: Assessment, *, licenses: Licenses | None = None) -> str:
    """The CycloneDX 1.6 JSON document of `assessment`, ending with a newline."""
    bom = cyclonedx_bom(assessment, licenses=licenses)
    with warnings.catch_warnings():
        # The library warns when the root has no dependencies: an empty project is not a problem.
        warnings.simplefilter("ignore", UserWarning)
        return JsonV1Dot6(bom).output_as_string(indent=2) + "\n"


def cyclonedx_xml(assessment: Assessment, *, licenses: Licenses | None = None) -> str:
    """The CycloneDX 1.6 XML document of `assessment`, ending with a newline."""
    bom = cyclonedx_bom(assessment, licenses=licenses)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return XmlV1Dot6(bom).output_as_string(indent=2) + "\n"


def _project(project: Project) -> Component:
    return Component(
        type=ComponentType.APPLICATION, name=project.name, version=project.version, bom_ref=project.ref
    )


def _component(package: Package, factory: LicenseFactory) -> Component:
    """A `library` component; optional when only dev tools, extras or groups install it."""
    return Component(
        type=ComponentType.LIBRARY,
        name=package.name,
        version=package.version,
        purl=package.purl,
        bom_ref=package.ref,
        scope=ComponentScope.REQUIRED if package.required else ComponentScope.OPTIONAL,
        hashes=[HashType(alg=_HASHES[algorithm], content=value) for algorithm, value in package.hashes],
        licenses=[factory.make_from_string(package.license)] if package.license else None,
        external_references=_references(package),
    )


def _references(package: Package) -> list[ExternalReference]:
    kind = _REFERENCE_TYPES.get(package.source)
    if kind is None or not package.url:
        return []
    try:
        return [ExternalReference(type=kind, url=XsUri(package.url))]
    except InvalidUriException:
        return []


def _dependencies(content: SbomContent, refs: dict[str, Component]) -> list[Dependency]:
    """One entry per component, leaves included, as the specification recommends."""
    return [
        Dependency(
            ref=refs[ref].bom_ref,
            dependencies=[Dependency(ref=refs[child].bom_ref) for child in children],
        )
        for ref, children in content.graph.items()
    ]


def _vulnerability(advisory: Advisory, index: int) -> Vulnerability:
    finding = advisory.finding
    source = VulnerabilitySource(name="OSV", url=XsUri(f"{OSV_URL}{finding.vulnerability_id}"))
    fix = finding.fix_version
    return Vulnerability(
        bom_ref=f"vulnerability-{index + 1}:{finding.vulnerability_id}",
        id=finding.vulnerability_id,
        source=source,
        references=[
            VulnerabilityReference(
                id=alias, source=VulnerabilitySource(name="OSV", url=XsUri(f"{OSV_URL}{alias}"))
            )
            for alias in finding.aliases
        ],
        ratings=[_rating(finding.severity, finding.score, finding.vector, source)],
        description=finding.summary or None,
        detail=finding.details or None,
        recommendation=f"Upgrade {finding.package} to {fix} or later." if fix else None,
        advisories=_advisories(finding.references),
        analysis=(
            VulnerabilityAnalysis(state=ImpactAnalysisState.NOT_AFFECTED, detail=advisory.not_affected)
            if advisory.not_affected is not None
            else VulnerabilityAnalysis(state=ImpactAnalysisState.IN_TRIAGE)
        ),
        affects=[BomTarget(ref=ref) for ref in advisory.affects],
    )


def _rating(
    severity: Severity, score: float | None, vector: str | None, source: VulnerabilitySource
) -> VulnerabilityRating:
    method = next((m for prefix, m in _METHODS if vector and vector.startswith(prefix)), None)
    if vector and method is None:
        method = VulnerabilityScoreSource.OTHER
    return VulnerabilityRating(
        source=source,
        score=Decimal(str(score)) if score is not None else None,
        severity=_SEVERITIES[severity],
        method=method,
        vector=vector,
    )


def _advisories(urls: Iterable[str]) -> list[VulnerabilityAdvisory]:
    found = []
    for url in urls:
        try:
            found.append(VulnerabilityAdvisory(url=XsUri(url)))
        except InvalidUriException:
            continue
    return found
