"""Safe reading of input files: size, binary and encoding checks, and `path:line` decoder errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomli

from pysteward.engine.inventory import _files
from pysteward.engine.inventory._files import header_lines, load_json, load_toml, read_bytes, read_text
from pysteward.engine.inventory.interface import InventoryError


def message(error: pytest.ExceptionInfo[InventoryError]) -> str:
    return str(error.value)


def test_it_reads_utf8_and_drops_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\xef\xbb\xbfdjango==4.2 # caf\xc3\xa9\n")
    assert read_text(path) == "django==4.2 # café\n"


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(InventoryError) as caught:
        read_bytes(tmp_path / "gone.txt")
    assert message(caught) == f"{tmp_path / 'gone.txt'}: file not found"


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="is a directory, not a file"):
        read_bytes(tmp_path)


def test_a_permission_error_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("x", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(InventoryError) as caught:
        read_bytes(path)
    assert message(caught) == f"{path}: permission denied"


def test_a_file_over_the_limit_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_files, "MAX_BYTES", 2 * 1_048_576)
    path = tmp_path / "uv.lock"
    path.write_bytes(b"#" * (3 * 1_048_576))
    with pytest.raises(InventoryError) as caught:
        read_text(path)
    assert message(caught) == f"{path}: file is too large (3 MiB; the limit is 2 MiB)"


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InventoryError, match="not a text file"):
        read_text(path)


def test_invalid_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"six==1.16.0\n# caf\xe9\n")
    with pytest.raises(InventoryError) as caught:
        read_text(path)
    assert message(caught) == f"{path}:2: not valid UTF-8"


def test_toml_is_parsed_from_the_file_or_given_text(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert load_toml(path) == {"project": {"name": "x"}}
    assert load_toml(path, "a = 1\n") == {"a": 1}


def test_truncated_toml_is_reported_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text('version = 1\n\n[[package]]\nname = "six"\nversion = "1.1', encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        load_toml(path)
    assert caught.value.line == 5
    assert message(caught).startswith(f"{path}:5: invalid TOML: ")
    assert "line" not in caught.value.message


def test_a_toml_error_without_a_position_has_no_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(text: str) -> object:
        error = tomli.TOMLDecodeError.__new__(tomli.TOMLDecodeError)
        Exception.__init__(error, "something odd")  # as raised by a decoder that knows no position
        raise error

    monkeypatch.setattr(tomli, "loads", fail)
    with pytest.raises(InventoryError) as caught:
        load_toml(tmp_path / "x.toml", "")
    assert (caught.value.line, caught.value.message) == (None, "invalid TOML: something odd")


def test_json_is_parsed_and_its_errors_carry_the_line(tmp_path: Path) -> None:
    path = tmp_path / "Pipfile.lock"
    path.write_text('{"_meta": {}}', encoding="utf-8")
    assert load_json(path) == {"_meta": {}}
    with pytest.raises(InventoryError) as caught:
        load_json(path, '{\n  "default": {\n    "six": \n')
    assert message(caught).startswith(f"{path}:4: invalid JSON: ")


def test_header_lines_finds_each_array_of_tables_header_with_comments_and_indentation() -> None:
    text = '[[package]]\nname = "a"\n  [[package]]  # second\n[[package.extra]]\n"[[package]]"\n[[package]]'
    assert header_lines(text, "package") == [1, 3, 6]
