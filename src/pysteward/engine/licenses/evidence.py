"""What a package says about its license, before any interpretation.

Three places say it: installed metadata (`METADATA` / `PKG-INFO`), the package index's project JSON (for
lockfile-only projects), and the project's own `pyproject.toml` / `setup.cfg`.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any, Literal

from pysteward.engine.inventory._files import load_toml, read_text
from pysteward.engine.inventory.interface import InventoryError

__all__ = [
    "EvidenceSource",
    "LicenseEvidence",
    "evidence_from_info",
    "evidence_from_metadata",
    "project_license",
]

EvidenceSource = Literal["metadata", "index", "project"]

_LICENSE_CLASSIFIER = "License ::"


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseEvidence:
    """The raw license fields of one package, in order of trust."""

    expression: str | None = None
    """PEP 639 `License-Expression`, as written."""
    classifiers: tuple[str, ...] = ()
    """Only the `License :: …` trove classifiers."""
    text: str | None = None
    """The free-text `License` field (sometimes a whole license text)."""
    source: EvidenceSource

    @property
    def empty(self) -> bool:
        """True when no field says anything."""
        return not (self.expression or self.classifiers or self.text)


def _clean(value: object) -> str | None:
    """A stripped string, or None for non-strings, blanks and the `UNKNOWN` setuptools writes."""
    if not isinstance(value, str):
        return None
    lines = [line.strip() for line in value.strip().splitlines()]
    text = "\n".join(lines).strip()
    return text if text and text.upper() not in {"UNKNOWN", "NONE"} else None


def _license_classifiers(values: object) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, list | tuple):
        return ()
    found = (" ".join(v.split()) for v in values if isinstance(v, str))
    return tuple(dict.fromkeys(v for v in found if v.startswith(_LICENSE_CLASSIFIER)))


def evidence_from_metadata(path: Path) -> LicenseEvidence:
    """Read `License-Expression`, `License` and the license classifiers from a METADATA or PKG-INFO file.

    The core-metadata format is RFC 822 headers; the body (the long description) is not read.
    """
    headers = HeaderParser().parsestr(read_text(path))
    return LicenseEvidence(
        expression=_clean(headers.get("License-Expression")),
        classifiers=_license_classifiers([str(v) for v in headers.get_all("Classifier") or []]),
        text=_clean(headers.get("License")),
        source="metadata",
    )


def evidence_from_info(info: Mapping[str, Any]) -> LicenseEvidence:
    """The license fields of a package index's project JSON `info` object (wrong types are ignored)."""
    return LicenseEvidence(
        expression=_clean(info.get("license_expression")),
        classifiers=_license_classifiers(info.get("classifiers")),
        text=_clean(info.get("license")),
        source="index",
    )


def project_license(project_dir: Path) -> LicenseEvidence | None:
    """The project's own license from `pyproject.toml` `[project]`, else `setup.cfg` `[metadata]`.

    `project.license` may be a PEP 639 expression or the legacy `{text = …}` / `{file = …}` table.
    Returns None when neither file says anything about the license.
    """
    pyproject = project_dir / "pyproject.toml"
    if pyproject.is_file():
        evidence = _from_pyproject(pyproject)
        if not evidence.empty:
            return evidence
    setup_cfg = project_dir / "setup.cfg"
    if setup_cfg.is_file():
        evidence = _from_setup_cfg(setup_cfg)
        if not evidence.empty:
            return evidence
    return None


def _from_pyproject(path: Path) -> LicenseEvidence:
    project = load_toml(path).get("project")
    if not isinstance(project, dict):
        return LicenseEvidence(source="project")
    value = project.get("license")
    expression = text = None
    if isinstance(value, str):
        expression = _clean(value)
    elif isinstance(value, dict):
        text = _clean(value.get("text")) or _license_file(path.parent, value.get("file"))
    return LicenseEvidence(
        expression=expression,
        classifiers=_license_classifiers(project.get("classifiers")),
        text=text,
        source="project",
    )


def _license_file(directory: Path, name: object) -> str | None:
    """The text of `{file = "LICENSE"}`; a missing or unreadable file says nothing rather than failing."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return _clean(read_text(directory / name))
    except InventoryError:
        return None


_CFG_ERRORS = (
    configparser.ParsingError,
    configparser.DuplicateSectionError,
    configparser.DuplicateOptionError,
)


def _cfg_problem(error: configparser.Error) -> tuple[str, int | None]:
    """configparser's messages repeat the path; say what is wrong and where, once."""
    if isinstance(error, configparser.MissingSectionHeaderError):
        return "a line comes before the first [section]", error.lineno
    if isinstance(error, configparser.ParsingError):
        return "a line is neither `key = value`, a continuation nor a [section]", error.errors[0][0]
    if isinstance(error, configparser.DuplicateOptionError):
        return f"{error.option!r} is set twice in [{error.section}]", error.lineno
    assert isinstance(error, configparser.DuplicateSectionError)
    return f"[{error.section}] appears twice", error.lineno


def _from_setup_cfg(path: Path) -> LicenseEvidence:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(read_text(path), source=str(path))
    except _CFG_ERRORS as e:
        message, line = _cfg_problem(e)
        raise InventoryError(f"invalid setup.cfg: {message}", path=path, line=line) from None
    if not parser.has_section("metadata"):
        return LicenseEvidence(source="project")
    metadata = parser["metadata"]
    return LicenseEvidence(
        expression=_clean(metadata.get("license_expression")),
        classifiers=_license_classifiers(metadata.get("classifiers", "")),
        text=_clean(metadata.get("license")),
        source="project",
    )
