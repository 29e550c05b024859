"""Detection sources written in Python packaging's own formats: pyproject, setup.*, Pipfile, tox, pins."""

from __future__ import annotations

import configparser
import itertools
import re
from pathlib import Path
from typing import Any

import tomli as toml
import yaml

from pysteward.engine.runtime._collect import Collector, find_line, items, line_of, load_yaml, mapping
from pysteward.engine.runtime._model import DeclarationKind, parse_specifier

_CLASSIFIER = re.compile(r"Programming Language :: Python :: (\d+\.\d+)\b")
_CONDA_PYTHON = re.compile(r"^(?:[\w.-]+::)?python(?![\w.-])\s*(?P<spec>.*)$", re.IGNORECASE)
_TOX_FACTOR = re.compile(r"^(?P<impl>py|pypy)(?P<major>[23])(?:\.?(?P<minor>\d+))?$")
_TOX_RANGE = re.compile(r"^(\d+)-(\d+)$")


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _load_toml(c: Collector, path: Path) -> tuple[dict[str, Any], list[str]] | None:
    text = c.read(path)
    if text is None:
        return None
    try:
        return toml.loads(text), text.splitlines()
    except toml.TOMLDecodeError as e:
        match = re.search(r"at line (\d+)", str(e))
        c.warn(path, int(match.group(1)) if match else None, "invalid TOML")
        return None


def pyproject(c: Collector, path: Path) -> None:
    """`project.requires-python`, Poetry's `python` dependency, and version classifiers."""
    loaded = _load_toml(c, path)
    if loaded is None:
        return
    data, lines = loaded
    project = _table(data, "project")
    requires = project.get("requires-python")
    if requires is not None:
        line = find_line(lines, r"^\s*requires-python\s*=")
        text = str(requires)
        c.add_range(DeclarationKind.REQUIRES_PYTHON, text, path, line, parse_specifier(text))
    python = _table(data, "tool", "poetry", "dependencies").get("python")
    if python is not None:
        header = find_line(lines, r"^\s*\[\s*tool\.poetry\.dependencies\s*\]") or 0
        line = find_line(lines, r"^\s*python\s*=", header)
        _poetry(c, path, line, str(python))
    for classifiers in (project.get("classifiers"), _table(data, "tool", "poetry").get("classifiers")):
        for classifier in classifiers if isinstance(classifiers, list) else []:
            match = _CLASSIFIER.search(str(classifier))
            if match:
                line = find_line(lines, re.escape(str(classifier)))
                c.add_token(DeclarationKind.CLASSIFIER, match.group(1), path, line)


def _poetry(c: Collector, path: Path, line: int | None, text: str) -> None:
    # `||` separates alternatives, which one SpecifierSet cannot hold: one declaration each.
    for alternative in text.split("||"):
        c.add_range(DeclarationKind.POETRY, alternative.strip(), path, line, parse_specifier(alternative))


def python_version_file(c: Collector, path: Path) -> None:
    """`.python-version` (pyenv, uv): one version per line; `system` means no pin."""
    text = c.read(path)
    for number, raw in enumerate((text or "").splitlines(), start=1):
        token = raw.split("#", 1)[0].strip()
        if token and token.lower() != "system":
            c.add_token(DeclarationKind.PYTHON_VERSION_FILE, token, path, number)


def runtime_txt(c: Collector, path: Path) -> None:
    """Heroku-style `runtime.txt`: `python-3.11.4`."""
    text = c.read(path)
    for number, raw in enumerate((text or "").splitlines(), start=1):
        token = raw.strip()
        if not token:
            continue
        if token.lower().startswith("python-"):
            c.add_token(DeclarationKind.RUNTIME_TXT, token, path, number, token=token[len("python-") :])
        else:
            c.warn(path, number, f"expected python-X.Y.Z, found {token!r}")
        return


def _classifier_lines(c: Collector, path: Path, lines: list[str]) -> None:
    for number, raw in enumerate(lines, start=1):
        if raw.lstrip().startswith("#"):
            continue
        for match in _CLASSIFIER.finditer(raw):
            c.add_token(DeclarationKind.CLASSIFIER, match.group(1), path, number)


def setup_cfg(c: Collector, path: Path) -> None:
    """`[options] python_requires` and version classifiers in `setup.cfg`."""
    text = c.read(path)
    if text is None:
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as e:
        c.warn(path, getattr(e, "lineno", None), "invalid setup.cfg: " + str(e).splitlines()[0].lower())
        return
    lines = text.splitlines()
    requires = parser.get("options", "python_requires", fallback=None)
    if requires is not None:
        line = find_line(lines, r"^\s*python_requires\s*[=:]")
        c.add_range(DeclarationKind.SETUP_CFG, requires.strip(), path, line, parse_specifier(requires))
    _classifier_lines(c, path, lines)


def setup_py(c: Collector, path: Path) -> None:
    """`python_requires="…"` and classifiers in `setup.py`, found as text: setup.py is never run."""
    text = c.read(path)
    if text is None:
        return
    lines = text.splitlines()
    for number, raw in enumerate(lines, start=1):
        match = re.search(r"python_requires\s*=\s*(['\"])(.*?)\1", raw)
        if match:
            spec = match.group(2)
            c.add_range(DeclarationKind.SETUP_PY, spec, path, number, parse_specifier(spec))
    _classifier_lines(c, path, lines)


def pipfile(c: Collector, path: Path) -> None:
    """`[requires] python_version` / `python_full_version` in a Pipfile."""
    loaded = _load_toml(c, path)
    if loaded is None:
        return
    data, lines = loaded
    requires = _table(data, "requires")
    for key in ("python_full_version", "python_version"):
        if key in requires:
            line = find_line(lines, rf"^\s*{key}\s*=")
            c.add_token(DeclarationKind.PIPFILE, str(requires[key]), path, line)


def tox_ini(c: Collector, path: Path) -> None:
    """The `[tox]` envlist: `py311`, `py3{9,10,11}` brace expansion, `py312-django42` factors."""
    text = c.read(path)
    if text is None:
        return
    for number, piece in _envlist_pieces(text.splitlines()):
        for env in _split_top(piece):
            try:
                names = _expand(env)
            except ValueError:
                c.warn(path, number, f"unbalanced braces in tox env {env!r}")
                continue
            for name in names:
                _tox_env(c, path, number, name)


def _envlist_pieces(lines: list[str]) -> list[tuple[int, str]]:
    pieces: list[tuple[int, str]] = []
    section, inside = "", False
    for number, raw in enumerate(lines, start=1):
        stripped = raw.split("#", 1)[0].rstrip()
        if re.match(r"^\[.*\]\s*$", stripped):
            section, inside = stripped.strip()[1:-1].strip(), False
            continue
        key = re.match(r"^(env_?list)\s*=\s*(.*)$", stripped)
        if section == "tox" and key:
            inside = True
            pieces.append((number, key.group(2)))
        elif inside and stripped[:1] in (" ", "\t") and stripped.strip():
            pieces.append((number, stripped.strip()))
        elif stripped.strip():
            inside = False
    return pieces


def _split_top(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char in ", " and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _expand(env: str) -> list[str]:
    """Brace expansion as tox does it: `py3{9,10}-dj{3,4}` gives four names; `{8-11}` is a range."""
    start = env.find("{")
    if start < 0:
        if "}" in env:
            raise ValueError(env)
        return [env]
    end = env.find("}", start)
    if end < 0 or "{" in env[start + 1 : end]:
        raise ValueError(env)
    options: list[str] = []
    for option in env[start + 1 : end].split(","):
        span = _TOX_RANGE.match(option.strip())
        if span:
            options.extend(str(n) for n in range(int(span.group(1)), int(span.group(2)) + 1))
        else:
            options.append(option.strip())
    head, tails = env[:start], _expand(env[end + 1 :])
    return [head + option + tail for option, tail in itertools.product(options, tails)]


def _tox_env(c: Collector, path: Path, line: int, name: str) -> None:
    for factor in name.split("-"):
        match = _TOX_FACTOR.match(factor)
        if match is None:
            continue
        major, minor = match.group("major"), match.group("minor")
        token = f"{major}.{minor}" if minor else major
        prefix = "pypy" if match.group("impl") == "pypy" else ""
        c.add_token(DeclarationKind.TOX, factor, path, line, token=prefix + token)


def conda_environment(c: Collector, path: Path) -> None:
    """The `python` pin in a conda `environment.yml` (`python=3.11`, `python>=3.9`, `python 3.11.*`)."""
    root = load_yaml(c, path)
    if root is None:
        return
    for item in items(mapping(root).get("dependencies")):
        if not isinstance(item, yaml.ScalarNode):
            continue
        match = _CONDA_PYTHON.match(str(item.value).strip())
        if match is None or not match.group("spec").strip():
            continue
        _conda_spec(c, path, line_of(item), str(item.value).strip(), match.group("spec").strip())


def _conda_spec(c: Collector, path: Path, line: int, text: str, spec: str) -> None:
    if spec.startswith("=") and not spec.startswith("=="):
        # `=3.11` is conda's fuzzy match (3.11.*); a second `=` starts a build string.
        spec = spec[1:].split("=", 1)[0]
    elif spec.startswith("=="):
        spec = spec[2:]
    if spec[:1] in "<>!~":
        c.add_range(DeclarationKind.CONDA, text, path, line, parse_specifier(spec))
        return
    c.add_token(DeclarationKind.CONDA, text, path, line, token=spec.removesuffix(".*"))
