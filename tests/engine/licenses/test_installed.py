"""Every package installed beside Steward gets a license verdict from its real METADATA file."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from pysteward.engine.licenses import LicenseClass, evidence_from_metadata, judge_license
from pysteward.engine.model import normalize


def _metadata_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for dist in importlib.metadata.distributions():
        for file in dist.files or ():
            if file.name == "METADATA" and file.parent.name.endswith(".dist-info"):
                found[normalize(dist.metadata["Name"])] = Path(str(dist.locate_file(file)))
    return found


def test_every_installed_package_gets_a_verdict_from_its_metadata() -> None:
    files = _metadata_files()
    assert len(files) >= 20
    verdicts = {name: judge_license(evidence_from_metadata(path)) for name, path in files.items()}
    assert all(v.source == "metadata" for v in verdicts.values())
    classified = [name for name, v in verdicts.items() if v.license_class is not LicenseClass.UNKNOWN]
    # Every package beside Steward today declares its license one way or another; allow a little slack
    # for future additions that declare nothing.
    assert len(classified) >= 0.9 * len(verdicts)
    for verdict in verdicts.values():
        assert verdict.spdx or verdict.field != "expression"
        assert verdict.alternatives or verdict.expression == ""


def test_packaging_is_permissive_by_its_dual_license_expression() -> None:
    verdict = judge_license(evidence_from_metadata(_metadata_files()["packaging"]))
    assert verdict.license_class is LicenseClass.PERMISSIVE
    assert verdict.field == "expression"
    assert verdict.osi_approved is True
    assert verdict.chosen in {"Apache-2.0", "BSD-2-Clause"}


def test_steward_itself_is_apache_2() -> None:
    verdict = judge_license(evidence_from_metadata(_metadata_files()["pysteward"]))
    assert verdict.expression == "Apache-2.0"
