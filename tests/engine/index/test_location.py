from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pysteward.engine.index import IndexLocation, find_index, redact
from pysteward.errors import OperationalError


@pytest.fixture
def pip_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """Write a pip configuration file and point PIP_CONFIG_FILE at it."""

    def write(text: str) -> Path:
        path = tmp_path / "pip.conf"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("PIP_CONFIG_FILE", str(path))
        return path

    return write


def test_it_prefers_pip_index_url_over_everything(pip_config: Callable[[str], Path]) -> None:
    pip_config("[global]\nindex-url = https://config.example.invalid/simple\n")
    env = {
        "PIP_INDEX_URL": "https://pip.example.invalid/simple/",
        "UV_INDEX_URL": "https://uv.example.invalid/simple",
    }
    location = find_index(env)
    assert location == IndexLocation("https://pip.example.invalid/simple", "PIP_INDEX_URL")


def test_it_reads_uv_index_url_then_uv_default_index() -> None:
    both = {"UV_INDEX_URL": "https://a.invalid/simple", "UV_DEFAULT_INDEX": "https://b.invalid/simple"}
    assert find_index(both).source == "UV_INDEX_URL"
    only_default = {"UV_DEFAULT_INDEX": "https://b.invalid/simple", "PIP_INDEX_URL": "  "}
    assert find_index(only_default).simple_url == "https://b.invalid/simple"


def test_it_reads_pip_configuration_install_section_before_global(pip_config: Callable[[str], Path]) -> None:
    pip_config(
        "[global]\nindex-url = https://global.example.invalid/simple\n"
        "[install]\nindex-url = https://install.example.invalid/simple\n"
    )
    location = find_index({})
    assert location.simple_url == "https://install.example.invalid/simple"
    assert location.source == "pip configuration (install.index-url)"


def test_an_empty_install_index_url_falls_back_to_the_global_one(pip_config: Callable[[str], Path]) -> None:
    pip_config("[global]\nindex-url = https://global.example.invalid/simple\n[install]\nindex-url =\n")
    location = find_index({})
    assert location.simple_url == "https://global.example.invalid/simple"
    assert location.source == "pip configuration (global.index-url)"


def test_it_reads_the_global_index_url_from_pip_configuration(pip_config: Callable[[str], Path]) -> None:
    pip_config("[global]\nindex-url = https://global.example.invalid/simple\ntimeout = 5\n")
    assert find_index({}).simple_url == "https://global.example.invalid/simple"


def test_it_falls_back_to_pips_own_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from pip._internal.models.index import PyPI

    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    location = find_index({})
    assert location.simple_url == PyPI.simple_url.rstrip("/")
    assert location.source == "pip's default"


def test_it_asks_for_pip_index_url_when_pip_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pip._internal.configuration", None)
    with pytest.raises(OperationalError) as caught:
        find_index({})
    assert "pip is not installed" in str(caught.value)
    assert caught.value.hint is not None
    assert "PIP_INDEX_URL" in caught.value.hint


def test_it_reports_an_unreadable_pip_configuration(pip_config: Callable[[str], Path]) -> None:
    pip_config("[global\nindex-url = https://user:hunter2@broken.example.invalid/simple\n")
    with pytest.raises(OperationalError) as caught:
        find_index({})
    assert "pip's configuration could not be read" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_it_refuses_a_non_http_index_without_printing_credentials() -> None:
    with pytest.raises(OperationalError) as caught:
        find_index({"PIP_INDEX_URL": "ftp://deploy:s3cret@mirror.example.invalid/simple"})
    message = str(caught.value)
    assert "s3cret" not in message
    assert "ftp://***@mirror.example.invalid/simple" in message
    assert "PIP_INDEX_URL" in message


def test_it_redacts_every_url_in_a_text() -> None:
    text = "tried https://u:p@a.invalid/x and http://token@b.invalid/y and https://c.invalid/z"
    assert redact(text) == "tried https://***@a.invalid/x and http://***@b.invalid/y and https://c.invalid/z"


def test_it_derives_json_api_urls_from_a_simple_url() -> None:
    location = IndexLocation("https://mirror.example.invalid/repo/simple/", "test")
    assert location.json_api_base == "https://mirror.example.invalid/repo"
    assert (
        location.project_url("zope-interface") == "https://mirror.example.invalid/repo/simple/zope-interface/"
    )
    assert location.json_url("a") == "https://mirror.example.invalid/repo/pypi/a/json"
    assert (
        location.json_url("a", "1.0+local") == "https://mirror.example.invalid/repo/pypi/a/1.0%2Blocal/json"
    )


def test_it_has_no_json_api_when_the_url_does_not_end_in_simple() -> None:
    location = IndexLocation("https://user:pw@devpi.example.invalid/root/pypi/+simple", "test")
    assert location.json_api_base is None
    assert location.json_url("a") is None
    assert location.display == "https://***@devpi.example.invalid/root/pypi/+simple"
