"""Our tables from trove classifiers and common free-text license names to SPDX ids.

An imprecise name (`BSD`, `Apache Software License`, `GPL`) maps to its most common reading, marked
approximate: the class is right even when the exact id may not be. Names with no SPDX id at all
(`Public Domain`, `Other/Proprietary License`) map to a class only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pysteward.engine.licenses.classes import LicenseClass

__all__ = ["Reading", "name_key", "read_classifier", "read_name"]


@dataclass(frozen=True, slots=True)
class Reading:
    """What a name means: an SPDX id, or only a class when SPDX has no id for it."""

    spdx: str | None
    approximate: bool = False
    family: LicenseClass = LicenseClass.UNKNOWN


def _approx(spdx: str) -> Reading:
    return Reading(spdx, approximate=True)


_PUBLIC_DOMAIN = Reading(None, family=LicenseClass.PERMISSIVE)
_PROPRIETARY = Reading(None, family=LicenseClass.PROPRIETARY)

_OSI_CLASSIFIERS: dict[str, Reading] = {
    "Academic Free License (AFL)": _approx("AFL-3.0"),
    "Apache Software License": _approx("Apache-2.0"),
    "Apple Public Source License": _approx("APSL-2.0"),
    "Artistic License": _approx("Artistic-2.0"),
    "Attribution Assurance License": Reading("AAL"),
    "BSD License": _approx("BSD-3-Clause"),
    "Blue Oak Model License (BlueOak-1.0.0)": Reading("BlueOak-1.0.0"),
    "Boost Software License 1.0 (BSL-1.0)": Reading("BSL-1.0"),
    "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)": Reading("CECILL-2.1"),
    "CMU License (MIT-CMU)": Reading("MIT-CMU"),
    "Common Development and Distribution License 1.0 (CDDL-1.0)": Reading("CDDL-1.0"),
    "Common Public License": Reading("CPL-1.0"),
    "Eclipse Public License 1.0 (EPL-1.0)": Reading("EPL-1.0"),
    "Eclipse Public License 2.0 (EPL-2.0)": Reading("EPL-2.0"),
    "Educational Community License, Version 2.0 (ECL-2.0)": Reading("ECL-2.0"),
    "Eiffel Forum License": _approx("EFL-2.0"),
    "European Union Public Licence 1.0 (EUPL 1.0)": Reading("EUPL-1.0"),
    "European Union Public Licence 1.1 (EUPL 1.1)": Reading("EUPL-1.1"),
    "European Union Public Licence 1.2 (EUPL 1.2)": Reading("EUPL-1.2"),
    "GNU Affero General Public License v3": _approx("AGPL-3.0-only"),
    "GNU Affero General Public License v3 or later (AGPLv3+)": Reading("AGPL-3.0-or-later"),
    "GNU Free Documentation License (FDL)": _approx("GFDL-1.3-or-later"),
    "GNU General Public License (GPL)": _approx("GPL-2.0-or-later"),
    "GNU General Public License v2 (GPLv2)": _approx("GPL-2.0-only"),
    "GNU General Public License v2 or later (GPLv2+)": Reading("GPL-2.0-or-later"),
    "GNU General Public License v3 (GPLv3)": _approx("GPL-3.0-only"),
    "GNU General Public License v3 or later (GPLv3+)": Reading("GPL-3.0-or-later"),
    "GNU Lesser General Public License v2 (LGPLv2)": _approx("LGPL-2.0-only"),
    "GNU Lesser General Public License v2 or later (LGPLv2+)": Reading("LGPL-2.0-or-later"),
    "GNU Lesser General Public License v3 (LGPLv3)": _approx("LGPL-3.0-only"),
    "GNU Lesser General Public License v3 or later (LGPLv3+)": Reading("LGPL-3.0-or-later"),
    "GNU Library or Lesser General Public License (LGPL)": _approx("LGPL-2.1-or-later"),
    "Historical Permission Notice and Disclaimer (HPND)": Reading("HPND"),
    "IBM Public License": Reading("IPL-1.0"),
    "ISC License (ISCL)": Reading("ISC"),
    "Intel Open Source License": Reading("Intel"),
    "MIT License": Reading("MIT"),
    "MIT No Attribution License (MIT-0)": Reading("MIT-0"),
    "MirOS License (MirOS)": Reading("MirOS"),
    "Mozilla Public License 1.0 (MPL)": Reading("MPL-1.0"),
    "Mozilla Public License 1.1 (MPL 1.1)": Reading("MPL-1.1"),
    "Mozilla Public License 2.0 (MPL 2.0)": Reading("MPL-2.0"),
    "Mulan Permissive Software License v2 (MulanPSL-2.0)": Reading("MulanPSL-2.0"),
    "Nethack General Public License": Reading("NGPL"),
    "Open Software License 3.0 (OSL-3.0)": Reading("OSL-3.0"),
    "PostgreSQL License": Reading("PostgreSQL"),
    "Python License (CNRI Python License)": Reading("CNRI-Python"),
    "Python Software Foundation License": Reading("PSF-2.0"),
    "Qt Public License (QPL)": Reading("QPL-1.0"),
    "SIL Open Font License 1.1 (OFL-1.1)": Reading("OFL-1.1"),
    "Sleepycat License": Reading("Sleepycat"),
    "Sun Public License": Reading("SPL-1.0"),
    "The Unlicense (Unlicense)": Reading("Unlicense"),
    "Universal Permissive License (UPL)": Reading("UPL-1.0"),
    "University of Illinois/NCSA Open Source License": Reading("NCSA"),
    "W3C License": Reading("W3C"),
    "X.Net License": Reading("Xnet"),
    "Zope Public License": _approx("ZPL-2.1"),
    "zlib/libpng License": Reading("Zlib"),
}

_OTHER_CLASSIFIERS: dict[str, Reading] = {
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": Reading("CC0-1.0"),
    "CeCILL-B Free Software License Agreement (CECILL-B)": Reading("CECILL-B"),
    "CeCILL-C Free Software License Agreement (CECILL-C)": Reading("CECILL-C"),
    "Public Domain": _PUBLIC_DOMAIN,
    "Other/Proprietary License": _PROPRIETARY,
    "Freeware": _PROPRIETARY,
    "Shareware": _PROPRIETARY,
    "Free For Educational Use": _PROPRIETARY,
    "Free For Home Use": _PROPRIETARY,
    "Free for non-commercial use": _PROPRIETARY,
    "Aladdin Free Public License (AFPL)": _PROPRIETARY,
}


def read_classifier(classifier: str) -> Reading | None:
    """The reading of a `License :: …` classifier; None for ones that name no license (`OSI Approved`)."""
    name = classifier.removeprefix("License :: ").strip()
    if name.startswith("OSI Approved :: "):
        return _OSI_CLASSIFIERS.get(name.removeprefix("OSI Approved :: "))
    return _OTHER_CLASSIFIERS.get(name)


# Free text is reduced to a key: lower case, family names shortened, filler words dropped, versions as
# `2.0`, and "or later" as `+`; so "GNU Lesser General Public License v2.1 or later" becomes `lgpl 2.1+`.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"licen[cs]e[ds]?", " "),
        (r"gnu affero general public|affero general public|affero gpl", "agpl"),
        (r"gnu (lesser|library)( or lesser)? general public|(lesser|library) general public", "lgpl"),
        (r"gnu general public|general public|gnu gpl", "gpl"),
        (r"mozilla public", "mpl"),
        (r"eclipse public", "epl"),
        (r"python software foundation|psfl", "psf"),
        (r"\b(or|and) (any )?later( version)?|\bor newer\b", "+"),
        (r"(?:\b|(?<=[a-z]))v(?=\d)", " "),
        (r"[^a-z0-9.+]+", " "),
        (r"\b(the|gnu|version|ver|v|only|software|new|style)\b", " "),
        (r"(?<![\d.])(\d)(?![\d.]| clause)", r"\1.0"),
        (r"\s+\+", "+"),
        (r"\s+", " "),
    )
)

_NAMES: dict[str, Reading] = {
    "mit": Reading("MIT"),
    "expat": Reading("MIT"),
    "mit expat": Reading("MIT"),
    "mit 0": Reading("MIT-0"),
    "bsd": _approx("BSD-3-Clause"),
    "bsd 3 clause": Reading("BSD-3-Clause"),
    "3 clause bsd": Reading("BSD-3-Clause"),
    "modified bsd": Reading("BSD-3-Clause"),
    "revised bsd": Reading("BSD-3-Clause"),
    "bsd 2 clause": Reading("BSD-2-Clause"),
    "2 clause bsd": Reading("BSD-2-Clause"),
    "simplified bsd": Reading("BSD-2-Clause"),
    "freebsd": Reading("BSD-2-Clause"),
    "0bsd": Reading("0BSD"),
    "apache": _approx("Apache-2.0"),
    "apache 2.0": Reading("Apache-2.0"),
    "apache2": Reading("Apache-2.0"),
    "asl 2.0": Reading("Apache-2.0"),
    "isc": Reading("ISC"),
    "iscl": Reading("ISC"),
    "psf": Reading("PSF-2.0"),
    "psf 2.0": Reading("PSF-2.0"),
    "zlib": Reading("Zlib"),
    "zlib libpng": Reading("Zlib"),
    "unlicense": Reading("Unlicense"),
    "cc0": Reading("CC0-1.0"),
    "cc0 1.0": Reading("CC0-1.0"),
    "wtfpl": Reading("WTFPL"),
    "boost": Reading("BSL-1.0"),
    "bsl 1.0": Reading("BSL-1.0"),
    "mpl": _approx("MPL-2.0"),
    "mpl 1.1": Reading("MPL-1.1"),
    "mpl 2.0": Reading("MPL-2.0"),
    "epl": _approx("EPL-2.0"),
    "epl 1.0": Reading("EPL-1.0"),
    "epl 2.0": Reading("EPL-2.0"),
    "gpl": _approx("GPL-2.0-or-later"),
    "gpl+": _approx("GPL-2.0-or-later"),
    "lgpl": _approx("LGPL-2.1-or-later"),
    "lgpl+": _approx("LGPL-2.1-or-later"),
    "agpl": _approx("AGPL-3.0-or-later"),
    "public domain": _PUBLIC_DOMAIN,
    "proprietary": _PROPRIETARY,
    "commercial": _PROPRIETARY,
    "all rights reserved": _PROPRIETARY,
    "closed source": _PROPRIETARY,
}
for _family, _versions in (("gpl", ("2.0", "3.0")), ("lgpl", ("2.0", "2.1", "3.0")), ("agpl", ("3.0",))):
    for _version in _versions:
        _NAMES[f"{_family} {_version}"] = Reading(f"{_family.upper()}-{_version}-only")
        _NAMES[f"{_family} {_version}+"] = Reading(f"{_family.upper()}-{_version}-or-later")

# A whole license text in the `License` field: recognise the few that are pasted most often.
_BODIES: tuple[tuple[tuple[str, ...], Reading], ...] = (
    (("permission is hereby granted, free of charge",), Reading("MIT")),
    (("redistribution and use in source and binary forms", "neither the name"), Reading("BSD-3-Clause")),
    (("redistribution and use in source and binary forms",), _approx("BSD-2-Clause")),
    (("apache license", "version 2.0"), Reading("Apache-2.0")),
)


def name_key(text: str) -> str:
    """The lookup key of a free-text license name (see `_REWRITES`)."""
    key = text.lower()
    for pattern, replacement in _REWRITES:
        key = pattern.sub(replacement, key)
    # "The MIT License (MIT)" names the license twice.
    return " ".join(dict.fromkeys(key.split()))


def read_name(text: str) -> Reading | None:
    """The reading of a free-text license name or pasted license text, or None when we cannot tell."""
    lines = [line for line in text.splitlines() if line.strip()]
    reading = _NAMES.get(name_key(lines[0])) if lines else None
    if reading is not None:
        return reading
    folded = " ".join(text.lower().split())
    for phrases, body in _BODIES:
        if all(phrase in folded for phrase in phrases):
            return body
    return None
