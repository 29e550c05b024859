"""Assessments to turn into SBOMs, and the official schema validators every SBOM must pass."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.advisories import import_advisories
from pysteward.engine.assess import AssessRequest, assess
from pysteward.engine.assessment import Assessment
from pysteward.engine.config import load_config

OSV_RECORDS = Path(__file__).resolve().parents[1] / "assets" / "osv"
ON = date(2026, 11, 22)

Assess = Callable[..., Assessment]


@pytest.fixture(scope="session")
def sbom_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small hand-written advisory database (tests/engine/assets/osv)."""
    path = tmp_path_factory.mktemp("sbom-advisories") / "advisories.sqlite3"
    import_advisories(OSV_RECORDS, path)
    return path


@pytest.fixture
def assessed(sbom_db: Path) -> Assess:
    """Assess paths (and `requirements=`/`environments=`) against the small database on 2026-11-22."""

    def run(
        *paths: Path, requirements: tuple[Path, ...] = (), environments: tuple[Path, ...] = ()
    ) -> Assessment:
        config_file = next((p / "steward.toml" for p in paths if (p / "steward.toml").is_file()), None)
        request = AssessRequest(
            paths=paths,
            requirements=requirements,
            environments=environments,
            config=load_config(config_file),
            on=ON,
        )
        return assess(request, database=sbom_db)

    return run


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The validators ship their schemas: any attempt to open a connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def cyclonedx_json_errors(text: str) -> list[str]:
    """Every violation of the CycloneDX 1.6 JSON schema (strict: no unknown properties)."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in errors or ()]


def cyclonedx_xml_errors(text: str) -> list[str]:
    """Every violation of the CycloneDX 1.6 XML schema."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.xml import XmlValidator

    errors = XmlValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True)
    return [str(e) for e in errors or ()]


def spdx_errors(text: str) -> list[str]:
    """Every problem spdx-tools finds in an SPDX 2.3 JSON document, parsed back from its text."""
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    document = JsonLikeDictParser().parse(json.loads(text))  # type: ignore[no-untyped-call]
    return [m.validation_message for m in validate_full_spdx_document(document)]
