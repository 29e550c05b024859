"""Judging one package's license: evidence in, a normalised SPDX expression and a class out.

Order of trust: the PEP 639 `License-Expression`, then the license classifiers, then the free-text
`License` field. A classifier that is only an approximate reading (`BSD License`) gives way to free text
that names the license exactly (`BSD-2-Clause`). An expression is expanded into its alternatives (an OR
of ANDs); the alternatives are sorted most permissive first and the first one is the `chosen` reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Literal

from pysteward.engine.licenses._names import Reading, read_classifier, read_name
from pysteward.engine.licenses.classes import (
    LicenseClass,
    class_of_term,
    is_deprecated,
    osi_approved,
)
from pysteward.engine.licenses.evidence import LicenseEvidence

if TYPE_CHECKING:
    from license_expression import LicenseExpression, Licensing  # type: ignore[import-untyped]

__all__ = [
    "MAX_ALTERNATIVES",
    "Alternative",
    "LicenseTerm",
    "LicenseVerdict",
    "alternative_class",
    "alternative_osi",
    "judge_license",
    "parse_spdx",
    "render_alternative",
]

MAX_ALTERNATIVES = 64
"""An expression with more alternatives than this (after expanding ANDs of ORs) keeps the first 64."""

Field = Literal["expression", "classifier", "text", "none"]
_TOKEN = re.compile(r"[A-Za-z0-9.+\-:]+")
_RAW_LIMIT = 100


@dataclass(frozen=True, slots=True)
class LicenseTerm:
    """One license of an alternative: an SPDX id (`GPL-2.0-only WITH Classpath-exception-2.0`) or a name."""

    id: str
    license_class: LicenseClass
    osi_approved: bool | None = None
    spdx: bool = True
    license: str = ""
    """The license id without its exception (policy lists match either)."""


Alternative = tuple[LicenseTerm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseVerdict:
    """The judgement of one package's license."""

    expression: str
    """The normalised SPDX expression, or the raw text (first line, shortened) when not SPDX; "" if none."""
    spdx: bool
    license_class: LicenseClass
    """The class of the chosen alternative (an AND takes its least permissive license)."""
    osi_approved: bool | None
    """True when every license of the chosen alternative is OSI-approved, False if one is not."""
    deprecated: bool
    """The evidence used a deprecated SPDX id (`GPL-2.0+`); `expression` has the current one."""
    chosen: str | None
    """For an OR, the alternative judged (the most permissive); None when there was no choice."""
    alternatives: tuple[Alternative, ...]
    """Every alternative, most permissive first; empty when no license was found."""
    source: str
    """Where the evidence came from: metadata, index, project or none."""
    field: Field
    """Which field decided: expression, classifier, text or none."""
    approximate: bool = False
    """An imprecise name (`BSD`) was read as its most common SPDX id: the class is reliable, the id less."""


@cache
def _licensing() -> Licensing:
    # Loading the SPDX key index takes tens of milliseconds: only when a license is first judged.
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def parse_spdx(text: str) -> LicenseExpression | None:
    """Parse an SPDX expression; None when it is malformed or names an unknown id (`LicenseRef-` is fine)."""
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False)
    except Exception:  # besides ExpressionError, malformed input raises IndexError, AssertionError…
        return None
    if parsed is None or any(not k.startswith("LicenseRef-") for k in licensing.unknown_license_keys(parsed)):
        return None
    return parsed


def _term(symbol: object) -> LicenseTerm:
    from license_expression import LicenseWithExceptionSymbol

    if isinstance(symbol, LicenseWithExceptionSymbol):
        license_id, exception = symbol.license_symbol.key, symbol.exception_symbol.key
        return LicenseTerm(
            f"{license_id} WITH {exception}",
            class_of_term(license_id, exception),
            osi_approved(license_id),
            license=license_id,
        )
    key: str = symbol.key  # type: ignore[attr-defined]
    return LicenseTerm(key, class_of_term(key), osi_approved(key), license=key)


def _expand(node: LicenseExpression) -> list[Alternative]:
    """The alternatives of an expression: OR concatenates, AND takes the product."""
    from license_expression import AND, OR

    if isinstance(node, OR):
        return [alt for arg in node.args for alt in _expand(arg)][:MAX_ALTERNATIVES]
    if isinstance(node, AND):
        product: list[Alternative] = [()]
        for arg in node.args:
            product = [(*left, *right) for left in product for right in _expand(arg)][:MAX_ALTERNATIVES]
        return [tuple(dict.fromkeys(alt)) for alt in product]
    return [(_term(node),)]


def alternative_class(alternative: Alternative) -> LicenseClass:
    """The class of an alternative: the least permissive of its licenses."""
    return max((term.license_class for term in alternative), key=lambda c: c.rank)


def render_alternative(alternative: Alternative) -> str:
    """An alternative as SPDX text (`MIT AND (GPL-2.0-only WITH Classpath-exception-2.0)`)."""
    return " AND ".join(
        f"({t.id})" if " WITH " in t.id and len(alternative) > 1 else t.id for t in alternative
    )


def alternative_osi(alternative: Alternative) -> bool | None:
    """True when every license of the alternative is OSI-approved, False when one is not, else None."""
    flags = [term.osi_approved for term in alternative]
    if False in flags:
        return False
    return True if all(flags) else None


def _short(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first if len(first) <= _RAW_LIMIT else first[: _RAW_LIMIT - 1] + "…"


def _deprecated(texts: Iterable[str]) -> bool:
    return any(is_deprecated(token) for text in texts for token in _TOKEN.findall(text))


def _verdict(
    expression: str,
    alternatives: Sequence[Alternative],
    evidence: LicenseEvidence,
    field: Field,
    *,
    approximate: bool = False,
    deprecated_in: Iterable[str] = (),
) -> LicenseVerdict:
    ordered = sorted(alternatives, key=lambda alt: alternative_class(alt).rank)
    chosen = ordered[0]
    return LicenseVerdict(
        expression=expression,
        spdx=all(term.spdx for alt in ordered for term in alt),
        license_class=alternative_class(chosen),
        osi_approved=alternative_osi(chosen),
        deprecated=_deprecated(deprecated_in),
        chosen=render_alternative(chosen) if len(ordered) > 1 else None,
        alternatives=tuple(ordered),
        source=evidence.source,
        field=field,
        approximate=approximate,
    )


def _from_spdx(text: str, evidence: LicenseEvidence, field: Field) -> LicenseVerdict | None:
    parsed = parse_spdx(text)
    if parsed is None:
        return None
    return _verdict(str(parsed), _expand(parsed), evidence, field, deprecated_in=(text,))


def _reading_term(reading: Reading, name: str, osi: bool | None) -> LicenseTerm:
    if reading.spdx is None:
        return LicenseTerm(name, reading.family, osi, spdx=False, license=name)
    return LicenseTerm(
        reading.spdx, class_of_term(reading.spdx), osi_approved(reading.spdx), license=reading.spdx
    )


def _from_classifiers(evidence: LicenseEvidence) -> tuple[LicenseVerdict | None, bool]:
    """Several license classifiers are read as a choice (OR), as projects use them for dual licensing."""
    terms: list[LicenseTerm] = []
    approximate = False
    for classifier in evidence.classifiers:
        reading = read_classifier(classifier)
        if reading is None:
            continue
        name = classifier.rsplit(" :: ", 1)[-1]
        terms.append(
            _reading_term(reading, name, True if " :: OSI Approved :: " in f" {classifier}" else None)
        )
        approximate = approximate or reading.approximate or reading.spdx is None
    if not terms:
        return None, False
    unique = list(dict.fromkeys(terms))
    expression = " OR ".join(term.id for term in unique)
    verdict = _verdict(expression, [(t,) for t in unique], evidence, "classifier", approximate=approximate)
    return verdict, approximate


def _from_text(text: str, evidence: LicenseEvidence) -> LicenseVerdict | None:
    verdict = _from_spdx(text, evidence, "text") if "\n" not in text else None
    if verdict is not None:
        return verdict
    reading = read_name(text)
    if reading is None:
        return None
    term = _reading_term(reading, _short(text), None)
    return _verdict(term.id, [(term,)], evidence, "text", approximate=reading.approximate)


def _unknown(raw: str, evidence: LicenseEvidence | None) -> LicenseVerdict:
    source = evidence.source if evidence is not None else "none"
    if not raw:
        return LicenseVerdict(
            expression="", spdx=False, license_class=LicenseClass.UNKNOWN, osi_approved=None,
            deprecated=False, chosen=None, alternatives=(), source=source, field="none",
        )  # fmt: skip
    term = LicenseTerm(_short(raw), LicenseClass.UNKNOWN, None, spdx=False, license=_short(raw))
    field: Field = "expression" if evidence is not None and evidence.expression == raw else "text"
    return LicenseVerdict(
        expression=term.id, spdx=False, license_class=LicenseClass.UNKNOWN, osi_approved=None,
        deprecated=False, chosen=None, alternatives=((term,),), source=source, field=field,
    )  # fmt: skip


def judge_license(evidence: LicenseEvidence | None) -> LicenseVerdict:
    """Normalise and classify a package's license evidence (None or empty evidence gives `unknown`)."""
    if evidence is None or evidence.empty:
        return _unknown("", evidence)
    if evidence.expression:
        verdict = _from_spdx(evidence.expression, evidence, "expression")
        if verdict is not None:
            return verdict
    by_classifier, approximate = _from_classifiers(evidence)
    by_text = _from_text(evidence.text, evidence) if evidence.text else None
    if by_classifier is not None and not (approximate and by_text is not None and not by_text.approximate):
        return by_classifier
    if by_text is not None:
        return by_text
    return _unknown(evidence.expression or evidence.text or "", evidence)
