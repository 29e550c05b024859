"""Normalising license evidence to SPDX and classifying it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pysteward.engine.licenses import LicenseClass, LicenseEvidence, LicenseVerdict, judge_license
from pysteward.engine.licenses.verdict import MAX_ALTERNATIVES, parse_spdx


def judge(
    expression: str | None = None, classifiers: tuple[str, ...] = (), text: str | None = None
) -> LicenseVerdict:
    return judge_license(
        LicenseEvidence(expression=expression, classifiers=classifiers, text=text, source="metadata")
    )


TOKENS = [
    "MIT",
    "AND",
    "OR",
    "WITH",
    "(",
    ")",
    "GPL-2.0+",
    "Classpath-exception-2.0",
    "LicenseRef-x",
    "+",
    "or",
]
MIT_CLASSIFIER = "License :: OSI Approved :: MIT License"
BSD_CLASSIFIER = "License :: OSI Approved :: BSD License"


@pytest.mark.parametrize(
    ("expression", "license_class"),
    [
        ("MIT", LicenseClass.PERMISSIVE),
        ("BSD-3-Clause", LicenseClass.PERMISSIVE),
        ("Apache-2.0", LicenseClass.PERMISSIVE),
        ("ISC", LicenseClass.PERMISSIVE),
        ("PSF-2.0", LicenseClass.PERMISSIVE),
        ("LGPL-2.1-or-later", LicenseClass.WEAK_COPYLEFT),
        ("MPL-2.0", LicenseClass.WEAK_COPYLEFT),
        ("EPL-2.0", LicenseClass.WEAK_COPYLEFT),
        ("GPL-3.0-only", LicenseClass.STRONG_COPYLEFT),
        ("AGPL-3.0-or-later", LicenseClass.NETWORK_COPYLEFT),
        ("SSPL-1.0", LicenseClass.NETWORK_COPYLEFT),
        ("EUPL-1.2", LicenseClass.NETWORK_COPYLEFT),
        ("LicenseRef-Proprietary", LicenseClass.PROPRIETARY),
        ("LicenseRef-Our-Own", LicenseClass.UNKNOWN),
        ("Glulxe", LicenseClass.UNKNOWN),
    ],
)
def test_it_classifies_common_licenses(expression: str, license_class: LicenseClass) -> None:
    verdict = judge(expression)
    assert verdict.license_class is license_class
    assert verdict.expression == expression
    assert verdict.field == "expression"
    assert verdict.spdx
    assert verdict.chosen is None


def test_it_takes_osi_approval_from_the_spdx_list() -> None:
    assert judge("MIT").osi_approved is True
    assert judge("SSPL-1.0").osi_approved is False
    assert judge("LicenseRef-Proprietary").osi_approved is None


def test_it_normalises_a_deprecated_id_and_says_it_was_deprecated() -> None:
    verdict = judge("GPL-2.0+")
    assert verdict.expression == "GPL-2.0-or-later"
    assert verdict.deprecated
    assert verdict.license_class is LicenseClass.STRONG_COPYLEFT
    assert not judge("GPL-2.0-or-later").deprecated


def test_it_judges_an_or_by_its_most_permissive_choice_and_keeps_the_choice() -> None:
    verdict = judge("GPL-3.0-only OR MIT")
    assert verdict.license_class is LicenseClass.PERMISSIVE
    assert verdict.chosen == "MIT"
    assert [alt[0].id for alt in verdict.alternatives] == ["MIT", "GPL-3.0-only"]


def test_it_judges_an_and_by_its_least_permissive_license() -> None:
    verdict = judge("MIT AND LGPL-3.0-only")
    assert verdict.license_class is LicenseClass.WEAK_COPYLEFT
    assert verdict.chosen is None
    assert judge("MIT AND LicenseRef-Mystery").license_class is LicenseClass.UNKNOWN


def test_it_expands_an_and_of_ors_into_alternatives() -> None:
    verdict = judge("Apache-2.0 AND (GPL-3.0-only OR BSD-2-Clause)")
    assert verdict.chosen == "Apache-2.0 AND BSD-2-Clause"
    assert len(verdict.alternatives) == 2
    assert verdict.license_class is LicenseClass.PERMISSIVE


def test_a_linking_exception_makes_strong_copyleft_weak() -> None:
    verdict = judge("GPL-2.0-only WITH Classpath-exception-2.0")
    assert verdict.license_class is LicenseClass.WEAK_COPYLEFT
    assert verdict.osi_approved is True
    assert verdict.alternatives[0][0].license == "GPL-2.0-only"


def test_other_exceptions_leave_the_class_as_it_is() -> None:
    assert judge("GPL-3.0-or-later WITH Autoconf-exception-3.0").license_class is LicenseClass.STRONG_COPYLEFT
    assert judge("AGPL-3.0-only WITH Classpath-exception-2.0").license_class is LicenseClass.NETWORK_COPYLEFT
    assert judge("Apache-2.0 WITH LLVM-exception").license_class is LicenseClass.PERMISSIVE


def test_it_brackets_an_exception_inside_a_chosen_conjunction() -> None:
    verdict = judge("MIT AND GPL-2.0-only WITH Classpath-exception-2.0 OR GPL-3.0-only")
    assert verdict.chosen == "MIT AND (GPL-2.0-only WITH Classpath-exception-2.0)"


def test_it_caps_the_alternatives_of_a_pathological_expression() -> None:
    groups = " AND ".join(f"(MIT OR BSD-{n}-Clause)" for n in (2, 3, 2, 3, 2, 3, 2, 3))
    assert len(judge(groups).alternatives) <= MAX_ALTERNATIVES
    wide = " OR ".join(["MIT", "ISC"] * 40)
    assert len(judge(wide).alternatives) <= MAX_ALTERNATIVES


def test_non_osi_licenses_are_flagged_false_even_in_a_conjunction() -> None:
    assert judge("MIT AND SSPL-1.0").osi_approved is False


@pytest.mark.parametrize(
    ("classifiers", "expression", "license_class", "approximate"),
    [
        ((MIT_CLASSIFIER,), "MIT", LicenseClass.PERMISSIVE, False),
        ((BSD_CLASSIFIER,), "BSD-3-Clause", LicenseClass.PERMISSIVE, True),
        (
            ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",),
            "MPL-2.0",
            LicenseClass.WEAK_COPYLEFT,
            False,
        ),
        (("License :: Public Domain",), "Public Domain", LicenseClass.PERMISSIVE, True),
        (
            ("License :: Other/Proprietary License",),
            "Other/Proprietary License",
            LicenseClass.PROPRIETARY,
            True,
        ),
        (
            (MIT_CLASSIFIER, "License :: OSI Approved :: Apache Software License"),
            "MIT OR Apache-2.0",
            LicenseClass.PERMISSIVE,
            True,
        ),
    ],
)
def test_it_reads_classifiers_when_there_is_no_expression(
    classifiers: tuple[str, ...], expression: str, license_class: LicenseClass, approximate: bool
) -> None:
    verdict = judge(classifiers=classifiers)
    assert verdict.expression == expression
    assert verdict.license_class is license_class
    assert verdict.approximate is approximate
    assert verdict.field == "classifier"


def test_a_classifier_without_an_spdx_id_keeps_its_name_and_is_not_spdx() -> None:
    verdict = judge(classifiers=("License :: Public Domain",))
    assert not verdict.spdx
    assert verdict.osi_approved is None
    osi = judge(classifiers=("License :: OSI Approved :: GNU General Public License (GPL)",))
    assert osi.osi_approved is True
    assert osi.license_class is LicenseClass.STRONG_COPYLEFT


def test_classifiers_that_name_no_license_are_ignored() -> None:
    verdict = judge(classifiers=("License :: OSI Approved", "License :: OSI Approved :: Made Up License"))
    assert verdict.license_class is LicenseClass.UNKNOWN
    assert verdict.field == "none"
    assert verdict.expression == ""


def test_an_exact_free_text_refines_an_approximate_classifier() -> None:
    verdict = judge(classifiers=(BSD_CLASSIFIER,), text="BSD-2-Clause")
    assert verdict.expression == "BSD-2-Clause"
    assert verdict.field == "text"
    assert not verdict.approximate


def test_an_approximate_free_text_does_not_override_a_classifier() -> None:
    assert judge(classifiers=(BSD_CLASSIFIER,), text="BSD").field == "classifier"
    assert judge(classifiers=(BSD_CLASSIFIER,), text="whatever").field == "classifier"


def test_an_exact_classifier_beats_free_text() -> None:
    verdict = judge(classifiers=(MIT_CLASSIFIER,), text="GPLv3")
    assert verdict.expression == "MIT"
    assert verdict.field == "classifier"


def test_the_expression_beats_classifiers_and_text() -> None:
    verdict = judge("Apache-2.0 OR BSD-2-Clause", classifiers=(MIT_CLASSIFIER,), text="GPL")
    assert verdict.expression == "Apache-2.0 OR BSD-2-Clause"
    assert verdict.chosen == "Apache-2.0"


def test_an_invalid_expression_falls_back_to_the_classifiers() -> None:
    verdict = judge("Apache 2.0 or", classifiers=(MIT_CLASSIFIER,))
    assert verdict.expression == "MIT"
    assert verdict.field == "classifier"


@pytest.mark.parametrize(
    ("text", "expression", "license_class"),
    [
        ("MIT License", "MIT", LicenseClass.PERMISSIVE),
        ("The MIT License (MIT)", "MIT", LicenseClass.PERMISSIVE),
        ("BSD", "BSD-3-Clause", LicenseClass.PERMISSIVE),
        ("Simplified BSD", "BSD-2-Clause", LicenseClass.PERMISSIVE),
        ("Apache 2.0", "Apache-2.0", LicenseClass.PERMISSIVE),
        ("Apache License, Version 2.0", "Apache-2.0", LicenseClass.PERMISSIVE),
        ("Apache Software License", "Apache-2.0", LicenseClass.PERMISSIVE),
        ("GPLv3", "GPL-3.0-only", LicenseClass.STRONG_COPYLEFT),
        ("GPL v2 or later", "GPL-2.0-or-later", LicenseClass.STRONG_COPYLEFT),
        ("LGPLv3+", "LGPL-3.0-or-later", LicenseClass.WEAK_COPYLEFT),
        ("GNU Lesser General Public License v2.1", "LGPL-2.1-only", LicenseClass.WEAK_COPYLEFT),
        ("Affero GPL", "AGPL-3.0-or-later", LicenseClass.NETWORK_COPYLEFT),
        ("Mozilla Public License 2.0", "MPL-2.0", LicenseClass.WEAK_COPYLEFT),
        ("PSFL", "PSF-2.0", LicenseClass.PERMISSIVE),
        ("ISC License", "ISC", LicenseClass.PERMISSIVE),
        ("mit", "MIT", LicenseClass.PERMISSIVE),
        ("MIT OR Apache-2.0", "MIT OR Apache-2.0", LicenseClass.PERMISSIVE),
        ("Public Domain", "Public Domain", LicenseClass.PERMISSIVE),
        ("Proprietary", "Proprietary", LicenseClass.PROPRIETARY),
    ],
)
def test_it_maps_common_free_text_to_spdx(text: str, expression: str, license_class: LicenseClass) -> None:
    verdict = judge(text=text)
    assert verdict.expression == expression
    assert verdict.license_class is license_class
    assert verdict.field == "text"


@pytest.mark.parametrize(
    ("body", "expression"),
    [
        ("Copyright (c) 2020 Someone\n\nPermission is hereby granted, free of charge, to any person", "MIT"),
        (
            "Copyright 2020\nRedistribution and use in source and binary forms, with or without\n"
            "modification... Neither the name of the copyright holder",
            "BSD-3-Clause",
        ),
        (
            "Copyright 2020\nRedistribution and use in source and binary forms, with or without",
            "BSD-2-Clause",
        ),
        (
            "                                 Apache License\n                           Version 2.0",
            "Apache-2.0",
        ),
        ("MIT License\n\nCopyright (c) 2020", "MIT"),
    ],
)
def test_it_recognises_a_pasted_license_text(body: str, expression: str) -> None:
    assert judge(text=body).expression == expression


@pytest.mark.parametrize("text", ["garbage text here", "Copyright me\nAll yours, kind of", "x" * 300])
def test_it_keeps_unrecognised_text_raw_and_unknown(text: str) -> None:
    verdict = judge(text=text)
    assert verdict.license_class is LicenseClass.UNKNOWN
    assert not verdict.spdx
    assert verdict.field == "text"
    assert text.startswith(verdict.expression.rstrip("…"))
    assert len(verdict.expression) <= 100


def test_it_keeps_an_unparsable_expression_raw_when_nothing_else_helps() -> None:
    verdict = judge("Apache 2 with bells")
    assert verdict.expression == "Apache 2 with bells"
    assert verdict.field == "expression"
    assert verdict.license_class is LicenseClass.UNKNOWN


def test_no_evidence_gives_an_unknown_verdict_without_alternatives() -> None:
    for verdict in (judge_license(None), judge()):
        assert verdict.expression == ""
        assert verdict.license_class is LicenseClass.UNKNOWN
        assert verdict.alternatives == ()
        assert verdict.field == "none"
    assert judge_license(None).source == "none"
    assert judge().source == "metadata"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "(MIT",
        "MIT AND",
        "MIT WITH nope",
        "BSD/MIT",
        "Classpath-exception-2.0 OR",
        "( ) ) ) and :   )",  # the parser fails with IndexError here
        "(   or GPL-2.0+",  # and with AssertionError here
    ],
)
def test_parse_spdx_refuses_malformed_expressions(text: str) -> None:
    assert parse_spdx(text) is None


@pytest.mark.property
@given(st.text(max_size=40) | st.lists(st.sampled_from(TOKENS), max_size=8).map(" ".join))
def test_judging_never_fails_on_any_text(text: str) -> None:
    for evidence in (
        LicenseEvidence(expression=text, source="index"),
        LicenseEvidence(text=text, classifiers=(f"License :: {text}",), source="index"),
    ):
        verdict = judge_license(evidence)
        assert (
            verdict.spdx == all(term.spdx for alt in verdict.alternatives for term in alt)
            or not verdict.alternatives
        )
        assert len(verdict.expression) <= 100 or verdict.spdx
        assert "\n" not in verdict.expression
