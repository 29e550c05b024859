"""Conda: `environment.yml` files and the `conda-meta/*.json` records of an installed environment.

In an `environment.yml`, only the `pip:` sub-list names packages from the Python package index; the
other entries are conda packages (often not Python at all: `openssl`, `libffi`), so they are
ignored, except `python`, whose version becomes the manifest's `python_requires`. `-r file` entries
in `pip:` are read with the requirements parser, relative to the yml file; index options are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pysteward.engine.inventory._files import load_json, read_text
from pysteward.engine.inventory._problems import Problems
from pysteward.engine.inventory._requirement import dependency_from_requirement, parse_requirement
from pysteward.engine.inventory.interface import InventoryError, Parser
from pysteward.engine.inventory.requirements import RequirementsParser
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Manifest,
    PinnedDependency,
    SourceKind,
    normalize,
)
from pysteward.errors import InputErrors

__all__ = [
    "CondaEnvironmentParser",
    "CondaMetaParser",
    "CondaRecord",
    "conda_python_specifier",
    "read_conda_record",
]

_MATCH_SPEC = re.compile(r"^(?:[^\s:]+::)?(?P<name>[A-Za-z0-9_.\-]+)\s*(?P<rest>.*)$")
_OPERATOR = re.compile(r"^(==|>=|<=|!=|~=|>|<)")
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(?P<file>.+)$")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)(?P<target>.+)$")
_EGG = re.compile(r"#egg=([A-Za-z0-9_.\-]+)")


def conda_python_specifier(spec: str) -> SpecifierSet | None:
    """The PEP 440 specifier of a conda match spec's version (`python=3.10` → `==3.10.*`).

    `=V` and `name V` are conda's fuzzy match (V and anything after it); `=V=build` and `==V` are
    exact; operators are kept. None when the spec has no version. ValueError for forms with no PEP 440
    equivalent (`|` alternatives, bracket syntax).
    """
    match = _MATCH_SPEC.match(spec.strip())
    rest = match.group("rest").strip() if match else spec.strip()
    if not rest:
        return None
    if "|" in rest or rest.startswith("["):
        raise ValueError(f"conda match spec {spec!r} has no PEP 440 equivalent")
    if _OPERATOR.match(rest):
        text = rest.replace(" ", "")
    else:
        version, *build = re.split(r"[=\s]+", rest.lstrip("="))
        exact = bool(build) or rest.startswith("==") or version.endswith("*")
        text = f"=={version}" if exact else f"=={version}.*"
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise ValueError(f"conda match spec {spec!r} has no PEP 440 equivalent") from None


def _compose(path: Path, text: str) -> yaml.Node | None:
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise InventoryError(f"invalid YAML: {e.problem or e.context}", path=path, line=line) from None
    except yaml.YAMLError as e:
        raise InventoryError(f"invalid YAML: {e}", path=path) from None
    return node


def _mapping_value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    for key_node, value in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key and isinstance(value, yaml.Node):
            return value
    return None


@dataclass
class _EnvironmentReader:
    path: Path
    problems: Problems
    dependencies: list[Dependency]
    warnings: list[str]
    python_requires: SpecifierSet | None = None

    def conda(self, node: yaml.ScalarNode) -> None:
        """A conda package: only `python` matters."""
        match = _MATCH_SPEC.match(node.value.strip())
        if not match or normalize(match.group("name")) != "python":
            return
        try:
            self.python_requires = conda_python_specifier(node.value)
        except ValueError as e:
            self.warnings.append(f"{self.path}:{node.start_mark.line + 1}: {e}")

    def pip(self, node: yaml.Node) -> None:
        """The `pip:` sub-list: requirement lines, `-r` includes and ignored pip options."""
        if not isinstance(node, yaml.SequenceNode):
            self.problems.add("the pip: entry must be a list", node.start_mark.line + 1)
            return
        for item in node.value:
            where = Location(self.path, item.start_mark.line + 1)
            if not isinstance(item, yaml.ScalarNode):
                self.problems.add("a pip: entry must be a string", where.line)
                continue
            with self.problems.collecting():
                self.pip_entry(item.value.strip(), where)

    def pip_entry(self, entry: str, where: Location) -> None:
        """One entry of the `pip:` list."""
        if include := _INCLUDE.match(entry):
            self.include(self.path.parent / include.group("file").strip(), where)
        elif editable := _EDITABLE.match(entry):
            self.dependencies.append(_editable(editable.group("target").strip(), where))
        elif entry.startswith("-"):
            return  # index options (--index-url, --extra-index-url, --pre, …) do not name packages
        elif entry:
            requirement = parse_requirement(entry, where)
            self.dependencies.append(dependency_from_requirement(requirement, where, text=entry))

    def include(self, target: Path, where: Location) -> None:
        """Read a `-r` file with the requirements parser; its entries keep their own lines."""
        if not target.is_file():
            raise InventoryError(
                f"-r {target.name}: file not found ({target})", path=where.path, line=where.line
            )
        try:
            manifest = RequirementsParser().parse(target)
        except InputErrors as group:
            self.problems.errors.extend(e for e in group.exceptions if isinstance(e, InventoryError))
            return
        self.dependencies.extend(manifest.dependencies)
        self.warnings.extend(manifest.warnings)


def _editable(target: str, where: Location) -> Dependency:
    egg = _EGG.search(target)
    name = egg.group(1) if egg else Path(target.split("#", 1)[0].rstrip("/")).name
    if not name:
        raise InventoryError(
            f"cannot tell the package name of editable {target!r}", path=where.path, line=where.line
        )
    return DirectReference(
        name=normalize(name),
        display_name=name,
        location=where,
        direct=True,
        kind=SourceKind.EDITABLE,
        url=target,
        requirement=f"-e {target}",
    )


class CondaEnvironmentParser(Parser):
    """Reads the `pip:` requirements and the Python version of a conda `environment.yml`."""

    kind: ClassVar[str] = "environment.yml"
    patterns: ClassVar[tuple[str, ...]] = ("environment.yml", "environment.yaml", "environment-*.yml")

    def parse(self, path: Path) -> Manifest:
        """Read `path`; raise `InventoryError` or `InputErrors` for invalid YAML or requirements."""
        root = _compose(path, read_text(path))
        reader = _EnvironmentReader(path, Problems(path), [], [])
        if root is not None and not isinstance(root, yaml.MappingNode):
            raise InventoryError(
                "expected a mapping at the top level", path=path, line=root.start_mark.line + 1
            )
        listed = _mapping_value(root, "dependencies") if root is not None else None
        if listed is not None and not isinstance(listed, yaml.SequenceNode):
            if not (isinstance(listed, yaml.ScalarNode) and not listed.value):  # `dependencies:` left empty
                raise InventoryError(
                    "dependencies must be a list", path=path, line=listed.start_mark.line + 1
                )
            listed = None
        for item in listed.value if listed is not None else ():
            if isinstance(item, yaml.ScalarNode):
                reader.conda(item)
            elif isinstance(item, yaml.MappingNode) and (pip := _mapping_value(item, "pip")) is not None:
                reader.pip(pip)
        reader.problems.raise_if_any()
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=tuple(reader.dependencies),
            python_requires=reader.python_requires,
            warnings=tuple(reader.warnings),
        )


@dataclass(frozen=True, slots=True)
class CondaRecord:
    """The name and version one `conda-meta/*.json` record gives, and the line of its name."""

    name: str
    version: str
    location: Location

    def dependency(self) -> PinnedDependency | None:
        """The record as an installed package; None when its version is not PEP 440 (`1.1.1w`)."""
        try:
            version = Version(self.version)
        except InvalidVersion:
            return None
        return PinnedDependency(
            name=normalize(self.name), display_name=self.name, location=self.location, version=version
        )


_NAME_KEY = re.compile(r'^\s*"name"\s*:', re.MULTILINE)


def read_conda_record(path: Path) -> CondaRecord:
    """Read one conda-meta record; raise `InventoryError` when it is not JSON or lacks name/version."""
    text = read_text(path)
    data = load_json(path, text)
    if not isinstance(data, dict):
        raise InventoryError("a conda-meta record must be a JSON object", path=path)
    for key in ("name", "version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise InventoryError(f'the record has no "{key}"', path=path)
    match = _NAME_KEY.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return CondaRecord(name=data["name"], version=data["version"], location=Location(path, line))


class CondaMetaParser(Parser):
    """Reads one `conda-meta/<package>.json` record of an installed conda environment."""

    kind: ClassVar[str] = "conda-meta"
    is_lock: ClassVar[bool] = True

    def claims(self, path: Path) -> bool:
        """JSON files directly inside a `conda-meta` directory."""
        return path.suffix.lower() == ".json" and path.parent.name.lower() == "conda-meta"

    def parse(self, path: Path) -> Manifest:
        """Read `path`; a version that is not PEP 440 gives no dependency and a warning."""
        record = read_conda_record(path)
        dependency = record.dependency()
        warnings = (
            () if dependency else (f"{record.location}: version {record.version!r} is not a PEP 440 version",)
        )
        return Manifest(
            path=path,
            kind=self.kind,
            dependencies=(dependency,) if dependency else (),
            is_lock=True,
            warnings=warnings,
        )
