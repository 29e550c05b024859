"""SPDX 2.3 JSON SBOMs with spdx-tools.

The document DESCRIBES the project; every package is an SPDX package with its package URL (a
`purl` external reference), checksums from the lockfile, the declared license when one is known
(NOASSERTION otherwise), and an `advisory` security reference per open vulnerability. The
dependency graph becomes DEPENDS_ON relationships.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.uri_validators import validate_download_location

from pysteward.engine.assessment import Assessment
from pysteward.engine.model import SourceKind
from pysteward.engine.sbom._collect import Licenses, Project, SbomContent, collect
from pysteward.engine.sbom._collect import Package as Component

__all__ = ["spdx_document", "spdx_json"]

OSV_URL = "https://osv.dev/vulnerability/"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
NAMESPACE = "https://spdx.org/spdxdocs/"

_CHECKSUMS = {
    "md5": ChecksumAlgorithm.MD5,
    "sha1": ChecksumAlgorithm.SHA1,
    "sha256": ChecksumAlgorithm.SHA256,
    "sha384": ChecksumAlgorithm.SHA384,
    "sha512": ChecksumAlgorithm.SHA512,
}
# SPDX identifiers allow letters, digits, `.` and `-` only.
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def spdx_document(assessment: Assessment, *, licenses: Licenses | None = None) -> Document:
    """The SPDX 2.3 document of `assessment`; `licenses` maps (name, version) to SPDX expressions."""
    content = collect(assessment, licenses)
    ids = _Ids()
    packages = [
        _project(project, ids.of(project.ref, f"Project-{project.name}")) for project in _projects(content)
    ]
    open_advisories: dict[str, list[str]] = {}
    for advisory in content.advisories:
        if advisory.not_affected is None:
            for ref in advisory.affects:
                open_advisories.setdefault(ref, []).append(advisory.finding.vulnerability_id)
    for package in content.packages:
        spdx_id = ids.of(package.ref, f"Package-{package.name}-{package.version or 'unversioned'}")
        packages.append(_package(package, spdx_id, open_advisories.get(package.ref, [])))
    relationships = [Relationship(DOCUMENT_ID, RelationshipType.DESCRIBES, ids.known[content.root.ref])]
    relationships.extend(
        Relationship(ids.known[ref], RelationshipType.DEPENDS_ON, ids.known[child])
        for ref, children in content.graph.items()
        for child in children
    )
    return Document(creation_info=_creation(content), packages=packages, relationships=relationships)


def spdx_json(assessment: Assessment, *, licenses: Licenses | None = None) -> str:
    """The SPDX 2.3 JSON document of `assessment`, ending with a newline."""
    converter = DocumentConverter()  # type: ignore[no-untyped-call]
    converted = converter.convert(spdx_document(assessment, licenses=licenses))
    return json.dumps(converted, indent=2) + "\n"


class _Ids:
    """SPDX element ids: readable, restricted to the allowed characters, unique within the document."""

    def __init__(self) -> None:
        self.known: dict[str, str] = {}
        self.taken: set[str] = set()

    def of(self, ref: str, label: str) -> str:
        base = "SPDXRef-" + _ID_UNSAFE.sub("-", label).strip("-")
        spdx_id, counter = base, 1
        while spdx_id in self.taken:
            counter += 1
            spdx_id = f"{base}-{counter}"
        self.taken.add(spdx_id)
        self.known[ref] = spdx_id
        return spdx_id


def _projects(content: SbomContent) -> Iterator[Project]:
    yield content.root
    yield from content.projects


def _creation(content: SbomContent) -> CreationInfo:
    name = f"{content.root.name} {content.root.version}" if content.root.version else content.root.name
    return CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOCUMENT_ID,
        name=name,
        # Unique per project and run, yet the same when the same assessment is rendered again.
        document_namespace=f"{NAMESPACE}{_ID_UNSAFE.sub('-', content.root.name)}-{content.serial}",
        creators=[Actor(ActorType.TOOL, f"steward-{content.tool_version}")],
        created=content.generated_at,
    )


def _project(project: Project, spdx_id: str) -> Package:
    return Package(
        spdx_id=spdx_id,
        name=project.name,
        download_location=SpdxNoAssertion(),
        version=project.version,
        files_analyzed=False,
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        primary_package_purpose=PackagePurpose.APPLICATION,
    )


def _package(package: Component, spdx_id: str, advisories: list[str]) -> Package:
    references = (
        [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", package.purl.to_string())]
        if package.purl is not None
        else []
    )
    references.extend(
        ExternalPackageRef(ExternalPackageRefCategory.SECURITY, "advisory", f"{OSV_URL}{vulnerability_id}")
        for vulnerability_id in advisories
    )
    return Package(
        spdx_id=spdx_id,
        name=package.name,
        download_location=_download_location(package),
        version=package.version,
        files_analyzed=False,
        checksums=[Checksum(_CHECKSUMS[algorithm], value) for algorithm, value in package.hashes],
        license_concluded=SpdxNoAssertion(),
        license_declared=_license(package.license),
        copyright_text=SpdxNoAssertion(),
        external_references=references,
        primary_package_purpose=PackagePurpose.LIBRARY,
    )


def _download_location(package: Component) -> str | SpdxNoAssertion:
    """The URL of a URL or VCS reference when SPDX accepts it; NOASSERTION for index packages."""
    url = package.url
    if url and package.source in (SourceKind.URL, SourceKind.VCS) and not validate_download_location(url):
        return url
    return SpdxNoAssertion()


def _license(expression: str | None) -> object:
    """The expression as spdx-tools' license object, or NOASSERTION when unknown or not valid SPDX."""
    if expression is None:
        return SpdxNoAssertion()
    from license_expression import ExpressionError, get_spdx_licensing  # type: ignore[import-untyped]

    licensing = get_spdx_licensing()
    try:
        parsed = licensing.parse(expression, validate=True, strict=True)
    except ExpressionError:
        return SpdxNoAssertion()
    return parsed if parsed is not None else SpdxNoAssertion()
