"""How bad one OSV record is: CVSS vectors first, the database's own label second.

A record's `severity[]` may hold CVSS v3 and v4 vectors; the score and rating come from the `cvss`
library. Without a usable vector, GitHub's `database_specific.severity` (LOW/MODERATE/HIGH/CRITICAL) is
used, else the severity is UNKNOWN. Malicious-package reports (`MAL-` ids, or records from the
OpenSSF malicious-packages project) are MALICIOUS whatever they say.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pysteward.engine.model import Severity

__all__ = ["Rating", "is_malicious", "rate", "rate_vector"]

_MALICIOUS_ORIGINS_KEY = "malicious-packages-origins"


@dataclass(frozen=True, slots=True)
class Rating:
    """A severity with the CVSS score and vector it came from (both None for a label or UNKNOWN)."""

    severity: Severity
    score: float | None = None
    vector: str | None = None


def rate_vector(kind: str, vector: str) -> Rating | None:
    """The rating of one CVSS_V3 or CVSS_V4 vector; None for other kinds or an invalid vector."""
    import cvss

    try:
        if kind == "CVSS_V3":
            calc = cvss.CVSS3(vector)
            score, label = float(calc.scores()[0]), str(calc.severities()[0])
        elif kind == "CVSS_V4":
            calc = cvss.CVSS4(vector)
            score, label = float(calc.base_score), str(calc.severity)
        else:
            return None
    except (cvss.CVSSError, ValueError, KeyError, IndexError):
        return None
    # CVSS rates a 0.0 score "None": nothing to fix, which Steward calls INFO.
    severity = Severity.INFO if label.lower() == "none" else Severity.parse(label)
    return Rating(severity, score, vector)


def is_malicious(record_id: str, database_specific: Mapping[str, object] | None) -> bool:
    """Whether the record reports a malicious package rather than a vulnerability."""
    if record_id.startswith("MAL-"):
        return True
    return bool(database_specific) and _MALICIOUS_ORIGINS_KEY in (database_specific or {})


def rate(
    record_id: str,
    severity: Sequence[tuple[str, str]],
    database_specific: Mapping[str, object] | None,
) -> Rating:
    """The rating of one record from its `(type, score)` severity entries and `database_specific`."""
    if is_malicious(record_id, database_specific):
        return Rating(Severity.MALICIOUS)
    ratings = [r for kind, vector in severity if (r := rate_vector(kind, vector)) is not None]
    if ratings:
        return max(ratings, key=lambda r: (r.severity, r.score or 0.0))
    label = (database_specific or {}).get("severity")
    if isinstance(label, str):
        try:
            return Rating(Severity.parse(label))
        except ValueError:
            pass
    return Rating(Severity.UNKNOWN)
