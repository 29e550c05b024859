"""Severity from CVSS v3/v4 vectors, the GHSA label as fallback, and malicious packages."""

from __future__ import annotations

import pytest

from pysteward.engine.advisories import parse_record
from pysteward.engine.advisories.severity import rate, rate_vector
from pysteward.engine.model import Severity
from tests.engine.advisories.helpers import raw

V3_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V3_MEDIUM = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N"
V4_HIGH = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N"


def test_it_scores_a_cvss_v3_vector() -> None:
    rating = rate_vector("CVSS_V3", V3_CRITICAL)
    assert rating is not None
    assert (rating.severity, rating.score, rating.vector) == (Severity.CRITICAL, 9.8, V3_CRITICAL)
    medium = rate_vector("CVSS_V3", V3_MEDIUM)
    assert medium is not None and medium.severity is Severity.MEDIUM


def test_it_scores_a_cvss_v4_vector() -> None:
    rating = rate_vector("CVSS_V4", V4_HIGH)
    assert rating is not None
    assert rating.severity is Severity.HIGH
    assert rating.score is not None and 7.0 <= rating.score < 9.0


def test_a_zero_score_is_info() -> None:
    rating = rate_vector("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N")
    assert rating is not None and rating.severity is Severity.INFO


@pytest.mark.parametrize(
    ("kind", "vector"), [("CVSS_V3", "garbage"), ("CVSS_V4", "CVSS:4.0/AV:N"), ("CVSS_V2", "AV:N")]
)
def test_it_ignores_unusable_vectors(kind: str, vector: str) -> None:
    assert rate_vector(kind, vector) is None


def test_the_highest_vector_wins_and_beats_the_label() -> None:
    rating = rate("PYSEC-1", [("CVSS_V3", V3_MEDIUM), ("CVSS_V4", V4_HIGH)], {"severity": "LOW"})
    assert rating.severity is Severity.HIGH


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("LOW", Severity.LOW),
        ("MODERATE", Severity.MEDIUM),
        ("HIGH", Severity.HIGH),
        ("CRITICAL", Severity.CRITICAL),
    ],
)
def test_it_falls_back_to_the_database_label(label: str, expected: Severity) -> None:
    assert rate("GHSA-1", [("CVSS_V3", "garbage")], {"severity": label}).severity is expected


def test_without_vector_or_label_the_severity_is_unknown() -> None:
    assert rate("PYSEC-1", [], {"severity": "SEVERE-ISH"}).severity is Severity.UNKNOWN
    assert parse_record(raw("PYSEC-1")).severity is Severity.UNKNOWN


def test_mal_records_and_malicious_origins_are_malicious() -> None:
    mal = parse_record(raw("MAL-2099-7", ranges=[[("introduced", "0")]]))
    assert (mal.severity, mal.malicious) == (Severity.MALICIOUS, True)
    origin = parse_record(
        raw("GHSA-x", database_specific={"severity": "LOW", "malicious-packages-origins": [{}]})
    )
    assert (origin.severity, origin.malicious) == (Severity.MALICIOUS, True)
    plain = parse_record(raw("GHSA-y", database_specific={"severity": "LOW"}))
    assert (plain.severity, plain.malicious) == (Severity.LOW, False)


def test_a_record_keeps_the_score_and_vector_it_was_rated_with() -> None:
    record = parse_record(raw("PYSEC-1", severity=[{"type": "CVSS_V3", "score": V3_CRITICAL}]))
    assert (record.rating.score, record.rating.vector) == (9.8, V3_CRITICAL)
