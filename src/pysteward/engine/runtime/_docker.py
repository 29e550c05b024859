"""Container images: `FROM python:3.12-slim` in Dockerfiles, and image references in CI files."""

from __future__ import annotations

import re
from pathlib import Path

from pysteward.engine.runtime._collect import Collector
from pysteward.engine.runtime._model import DeclarationKind

_UV_TAG = re.compile(r"python(\d+\.\d+)")
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_]\w*)(?::?-(?P<default>[^}]*))?\}|(?P<plain>[A-Za-z_]\w*))"
)
_ARG = re.compile(r"""([A-Za-z_]\w*)(?:=("[^"]*"|'[^']*'|\S*))?""")


def is_dockerfile(name: str) -> bool:
    """Whether a file name is a Dockerfile: `Dockerfile`, `Dockerfile.*`, `*.dockerfile`, `Containerfile`."""
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith("dockerfile.")
        or lower.endswith(".dockerfile")
    )


def image_python_tag(reference: str) -> tuple[str, str] | None:
    """(implementation, tag) when `reference` is a Python image, else None; the tag may be empty.

    Registry prefixes (`registry.invalid:5000/library/python`) and digests (`@sha256:…`) are dropped;
    uv's images carry the version in the tag (`uv:python3.12-bookworm`).
    """
    reference = reference.split("@", 1)[0]
    name, _, tag = reference.rpartition("/")[2].partition(":")
    name = name.lower()
    if name == "python":
        return "cpython", tag
    if name == "pypy":
        return "pypy", tag
    match = _UV_TAG.match(tag)
    if name == "uv" and match:
        return "cpython", match.group(1)
    return None


def add_image(c: Collector, kind: DeclarationKind, path: Path, line: int | None, reference: str) -> None:
    """Record the Python version of an image reference; other images are ignored."""
    found = image_python_tag(reference)
    if found is None:
        return
    implementation, tag = found
    if not tag or not tag[:1].isdigit():
        c.warn(path, line, f"python image without a version tag: {reference!r}")
        return
    prefix = "pypy" if implementation == "pypy" else ""
    c.add_token(kind, reference, path, line, token=prefix + tag)


def substitute(text: str, variables: dict[str, str]) -> tuple[str, list[str]]:
    """`text` with `$VAR`, `${VAR}` and `${VAR:-default}` replaced, and the names left unresolved."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("plain")
        if variables.get(name):
            return variables[name]
        if match.group("default") is not None:
            return match.group("default")
        missing.append(name)
        return match.group(0)

    return _VARIABLE.sub(replace, text), missing


def _instructions(text: str) -> list[tuple[int, str]]:
    """Each instruction with the line it starts on, continuation lines joined and comments dropped."""
    result: list[tuple[int, str]] = []
    start, parts = 0, list[str]()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not parts):
            continue
        if not parts:
            start = number
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        result.append((start, " ".join(parts)))
        parts = []
    if parts:
        result.append((start, " ".join(parts)))
    return result


def dockerfile(c: Collector, path: Path) -> None:
    """Every stage's `FROM`, with `ARG` defaults declared before the first `FROM` substituted."""
    text = c.read(path)
    if text is None:
        return
    args: dict[str, str] = {}
    stages: set[str] = set()
    seen_from = False
    for line, instruction in _instructions(text):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not seen_from:
            for name, value in _ARG.findall(rest):
                args[name] = value.strip("\"'")
        elif keyword == "FROM":
            seen_from = True
            words = [word for word in rest.split() if not word.startswith("--")]
            if not words:
                c.warn(path, line, "FROM without an image")
                continue
            # `FROM builder` names an earlier stage, not an image.
            if words[0].lower() not in stages:
                _from_image(c, path, line, words[0], args)
            if len(words) >= 3 and words[1].lower() == "as":
                stages.add(words[2].lower())


def _from_image(c: Collector, path: Path, line: int, image: str, args: dict[str, str]) -> None:
    resolved, missing = substitute(image, args)
    if missing:
        names = ", ".join(sorted(set(missing)))
        if image_python_tag(resolved) is not None:
            c.warn(path, line, f"cannot resolve {names} in {image!r}: no ARG default")
        return
    add_image(c, DeclarationKind.DOCKERFILE, path, line, resolved)
