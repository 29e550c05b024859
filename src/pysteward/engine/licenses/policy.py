"""License policy: allow and deny lists, the project's own license, and the findings they give.

    [tool.steward.licenses]
    allow = ["permissive", "MPL-2.0"]     # SPDX ids or classes; when set, other known licenses are denied
    deny = ["network-copyleft", "GPL-3.0-only"]
    project-license = "Apache-2.0"        # default: the project's own declared license
    check-project-compatibility = true
    fail-on-unknown = true                # report licenses we cannot tell (low)
    fail-on-non-osi = false               # report licenses the OSI has not approved (low)

An id in a list beats a class in the other list; an explicit allow (by id or class) also skips the
compatibility, unknown and non-OSI checks. An alternative of an OR is acceptable when none of its licenses
is denied; the most permissive acceptable one is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

from packaging.version import Version

from pysteward.engine.findings import LicenseFinding
from pysteward.engine.licenses.classes import LicenseClass
from pysteward.engine.licenses.evidence import LicenseEvidence
from pysteward.engine.licenses.verdict import (
    Alternative,
    LicenseTerm,
    LicenseVerdict,
    alternative_class,
    alternative_osi,
    judge_license,
    parse_spdx,
    render_alternative,
)
from pysteward.engine.model import Location, Severity

__all__ = ["LicensePolicy", "license_findings", "parse_license_policy"]

_KEYS = (
    "allow",
    "deny",
    "project-license",
    "check-project-compatibility",
    "fail-on-unknown",
    "fail-on-non-osi",
)
_CLASSES = frozenset(c.value for c in LicenseClass)
_UNKNOWN_TERM = LicenseTerm("", LicenseClass.UNKNOWN, None, spdx=False)
# A GPL-2.0-only project cannot take these in (the GPL-3.0 family and Apache-2.0's patent terms).
_GPL2_ONLY_CONFLICTS = ("Apache-2.0", "GPL-3.0", "LGPL-3.0", "AGPL-3.0")


@dataclass(frozen=True, slots=True, kw_only=True)
class LicensePolicy:
    """What licenses a project accepts. Lists hold normalised SPDX ids and class names."""

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    project_license: str | None = None
    """The project's own license as an SPDX expression; None skips the compatibility check."""
    check_project_compatibility: bool = True
    flag_unknown: bool = True
    flag_non_osi: bool = False


def parse_license_policy(table: dict[str, Any]) -> LicensePolicy:
    """Read a `[tool.steward.licenses]` table; ValueError names the key and what is wrong."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown setting (known: {', '.join(sorted(_KEYS))})")
    allow = _entries(table.get("allow", []), "allow")
    deny = _entries(table.get("deny", []), "deny")
    both = sorted(set(allow) & set(deny))
    if both:
        raise ValueError(f"allow, deny: {both[0]} is in both lists")
    return LicensePolicy(
        allow=allow,
        deny=deny,
        project_license=_project_license(table.get("project-license")),
        check_project_compatibility=_flag(table, "check-project-compatibility", default=True),
        flag_unknown=_flag(table, "fail-on-unknown", default=True),
        flag_non_osi=_flag(table, "fail-on-non-osi", default=False),
    )


def _flag(table: dict[str, Any], key: str, *, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{key}: must be true or false, not {value!r}")
    return value


def _entries(value: object, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f'{key}: must be a list of SPDX ids or classes such as ["permissive", "MPL-2.0"]')
    return tuple(dict.fromkeys(_entry(item, f"{key}[{index}]") for index, item in enumerate(value)))


def _entry(item: object, where: str) -> str:
    if isinstance(item, str) and item.strip().lower() in _CLASSES:
        return item.strip().lower()
    parsed = parse_spdx(item) if isinstance(item, str) and item.strip() else None
    if parsed is None:
        classes = ", ".join(c.value for c in LicenseClass)
        raise ValueError(f"{where}: {item!r} is neither an SPDX license id nor a class ({classes})")
    if len(parsed.symbols) != 1:
        raise ValueError(f"{where}: {item!r} is an expression; list single license ids")
    return str(parsed)


def _project_license(value: object) -> str | None:
    if value is None:
        return None
    parsed = parse_spdx(value) if isinstance(value, str) and value.strip() else None
    if parsed is None:
        raise ValueError(f"project-license: {value!r} is not a valid SPDX license expression")
    return str(parsed)


class _Decision(Enum):
    NEUTRAL = 0
    ALLOWED = 1
    DENIED = 2


def _decide(term: LicenseTerm, policy: LicensePolicy) -> tuple[_Decision, str]:
    """One license against the lists: ids first, then classes; the reason names the matching entry."""
    ids = {term.id, term.license} - {""}
    denied = sorted(ids & set(policy.deny))
    if denied:
        return _Decision.DENIED, f"deny list: {denied[0]}"
    if ids & set(policy.allow):
        return _Decision.ALLOWED, ""
    if term.license_class.value in policy.deny:
        return _Decision.DENIED, f"deny list: {term.license_class.value}"
    if term.license_class.value in policy.allow:
        return _Decision.ALLOWED, ""
    # An allow list denies every other known license; an unknown one is left to the unknown check.
    if policy.allow and term.license_class is not LicenseClass.UNKNOWN:
        return _Decision.DENIED, "not in the allow list"
    return _Decision.NEUTRAL, ""


def _judge(alternative: Alternative, policy: LicensePolicy) -> tuple[bool, bool, str]:
    """(denied, every license explicitly allowed, why denied) for one alternative."""
    decisions = [_decide(term, policy) for term in alternative]
    denied = [why for decision, why in decisions if decision is _Decision.DENIED]
    return bool(denied), all(d is _Decision.ALLOWED for d, _ in decisions), "; ".join(denied)


@cache
def _project_verdict(expression: str) -> LicenseVerdict:
    return judge_license(LicenseEvidence(expression=expression, source="project"))


def _max_class(project: LicenseClass) -> LicenseClass | None:
    """The least permissive dependency class a project of this class can take in; None: do not check."""
    return {
        LicenseClass.PERMISSIVE: LicenseClass.WEAK_COPYLEFT,
        LicenseClass.PROPRIETARY: LicenseClass.WEAK_COPYLEFT,
        LicenseClass.WEAK_COPYLEFT: LicenseClass.WEAK_COPYLEFT,
        LicenseClass.STRONG_COPYLEFT: LicenseClass.STRONG_COPYLEFT,
        LicenseClass.NETWORK_COPYLEFT: LicenseClass.NETWORK_COPYLEFT,
    }.get(project)


def _incompatible(alternative: Alternative, project_license: str) -> bool:
    project = _project_verdict(project_license)
    ceiling = _max_class(project.license_class)
    if ceiling is None:
        return False
    copyleft = (LicenseClass.WEAK_COPYLEFT, LicenseClass.STRONG_COPYLEFT, LicenseClass.NETWORK_COPYLEFT)
    if any(t.license_class in copyleft and t.license_class.rank > ceiling.rank for t in alternative):
        return True
    gpl2_only = any(t.license == "GPL-2.0-only" for t in project.alternatives[0])
    return gpl2_only and any(t.license.startswith(_GPL2_ONLY_CONFLICTS) for t in alternative)


def _pick(verdict: LicenseVerdict, policy: LicensePolicy) -> tuple[Alternative, tuple[bool, bool, str]]:
    """The most permissive alternative the lists accept, else the most permissive one (to report)."""
    alternatives = verdict.alternatives or ((_UNKNOWN_TERM,),)
    judged = [(alternative, _judge(alternative, policy)) for alternative in alternatives]
    return next((item for item in judged if not item[1][0]), judged[0])


def license_findings(
    name: str,
    version: Version | None,
    verdict: LicenseVerdict,
    policy: LicensePolicy,
    location: Location,
) -> list[LicenseFinding]:
    """The policy's findings about one dependency's license: denied, incompatible, unknown, not OSI."""
    alternative, (denied, allowed, why) = _pick(verdict, policy)
    license_class = alternative_class(alternative)
    label = render_alternative(alternative)
    if len(verdict.alternatives) > 1:
        label = f"{label} (the most permissive choice of {verdict.expression})"
    who = f"{name} {version}" if version is not None else name

    def finding(reason: str, severity: Severity, title: str) -> LicenseFinding:
        return LicenseFinding(
            rule=f"steward/license-{reason}",
            severity=severity,
            title=f"{who}: {title}",
            locations=(location,),
            package=name,
            version=version,
            license=verdict.expression,
            license_class=license_class.value,
            reason=reason,
        )

    if denied:
        return [finding("denied", Severity.HIGH, f"license {label} is denied by the policy ({why})")]
    if allowed:
        return []
    findings = []
    project = policy.project_license
    if policy.check_project_compatibility and project is not None and _incompatible(alternative, project):
        title = f"{license_class.value} license {label} is incompatible with the project's {project}"
        findings.append(finding("incompatible", Severity.HIGH, title))
    if policy.flag_unknown and license_class is LicenseClass.UNKNOWN:
        title = f"license {label} cannot be classified" if verdict.alternatives else "no license found"
        findings.append(finding("unknown", Severity.LOW, title))
    if policy.flag_non_osi and alternative_osi(alternative) is False:
        findings.append(finding("not-osi", Severity.LOW, f"license {label} is not OSI-approved"))
    return findings
