"""Finding the Python versions a project declares, and the versions it therefore targets.

Detection is best-effort, unlike manifest parsing: a malformed file yields a warning (in
`RuntimeScan.warnings`, and `observer.warn` when one is given), never an exception, because
an unreadable tox.ini should not stop an assessment.

Sources, each with the line it was found on:

- `pyproject.toml`: `project.requires-python`, `tool.poetry.dependencies.python` (`^`/`~`/`||`
  converted), and `Programming Language :: Python :: X.Y` classifiers (also in setup.cfg, setup.py)
- `setup.cfg` `[options] python_requires`, `setup.py` `python_requires=` (read as text, never run)
- `.python-version` (several lines; `system` ignored), `runtime.txt` (`python-3.11.4`)
- `Pipfile` `[requires] python_version`, conda `environment.yml` (`python=3.11`)
- `tox.ini` `envlist` (`py3{9,10}-django42`)
- `Dockerfile`, `Dockerfile.*`, `*.dockerfile`, `Containerfile` anywhere up to four levels down:
  every stage's `FROM`, with `ARG` defaults substituted
- `.github/workflows/*.yml`, `.gitlab-ci.yml`
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.observer import NullObserver, Observer
from pysteward.engine.runtime import _ci, _docker, _sources
from pysteward.engine.runtime._collect import Collector
from pysteward.engine.runtime._model import (
    DeclarationKind,
    RangeDeclaration,
    RuntimeDeclaration,
    VersionDeclaration,
)
from pysteward.engine.runtime.cycle import ReleaseCycle, ReleaseStatus

__all__ = [
    "DeclarationKind",
    "RangeDeclaration",
    "RuntimeDeclaration",
    "RuntimeScan",
    "VersionDeclaration",
    "admits_minor",
    "detect_runtimes",
    "target_versions",
]

Source = Callable[[Collector, Path], None]

_ROOT_SOURCES: dict[str, Source] = {
    "pyproject.toml": _sources.pyproject,
    "setup.cfg": _sources.setup_cfg,
    "setup.py": _sources.setup_py,
    ".python-version": _sources.python_version_file,
    "runtime.txt": _sources.runtime_txt,
    "Pipfile": _sources.pipfile,
    "tox.ini": _sources.tox_ini,
    "environment.yml": _sources.conda_environment,
    "environment.yaml": _sources.conda_environment,
    ".gitlab-ci.yml": _ci.gitlab_ci,
}
_SKIP_DIRS = frozenset(
    {"node_modules", "venv", "env", "__pycache__", "site-packages", "build", "dist", "vendor"}
)
_MAX_DEPTH = 4
_MAX_DIRS = 5_000
"""Directories visited looking for Dockerfiles; enough for a large monorepo, bounded for a huge tree."""


@dataclass(frozen=True, slots=True)
class RuntimeScan:
    """What runtime detection found in a project, and what it could not read.

    Iterating a scan iterates its declarations.
    """

    declarations: tuple[RuntimeDeclaration, ...]
    warnings: tuple[str, ...]

    def __iter__(self) -> Iterator[RuntimeDeclaration]:
        return iter(self.declarations)

    def __len__(self) -> int:
        return len(self.declarations)


def detect_runtimes(project_dir: Path, *, observer: Observer | None = None) -> RuntimeScan:
    """Every Python version declaration in `project_dir`, in source order, plus warnings.

    Warnings are also passed to `observer.warn` when an observer is given.
    """
    collector = Collector()
    if not project_dir.is_dir():
        collector.warn(project_dir, None, "not a directory")
    else:
        _scan(collector, project_dir)
    for warning in collector.warnings:
        (observer or NullObserver()).warn(warning)
    return RuntimeScan(tuple(collector.declarations), tuple(collector.warnings))


def _scan(collector: Collector, project_dir: Path) -> None:
    for name, source in _ROOT_SOURCES.items():
        path = project_dir / name
        if path.is_file():
            source(collector, path)
    for path in _dockerfiles(project_dir):
        _docker.dockerfile(collector, path)
    workflows = project_dir / ".github" / "workflows"
    if workflows.is_dir():
        for path in sorted(workflows.iterdir()):
            if path.suffix in (".yml", ".yaml") and path.is_file():
                _ci.github_workflow(collector, path)


def _dockerfiles(root: Path) -> list[Path]:
    found: list[Path] = []
    for visited, (current, dirs, files) in enumerate(os.walk(root), start=1):
        depth = len(Path(current).relative_to(root).parts)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and depth < _MAX_DEPTH
        )
        found.extend(Path(current) / name for name in sorted(files) if _docker.is_dockerfile(name))
        if visited >= _MAX_DIRS:
            break
    return found


def admits_minor(specifier: SpecifierSet, minor: str) -> bool:
    """Whether `specifier` admits some release of minor version `minor` (`>=3.12.1` admits 3.12)."""
    base = Version(minor)
    candidates = {Version(f"{minor}.0"), Version(f"{minor}.9999")}
    for spec in specifier:
        try:
            version = Version(spec.version.removesuffix(".*"))
        except ValueError:
            continue
        if version.release[:2] == base.release[:2]:
            candidates.add(version)
    return any(specifier.contains(candidate, prereleases=True) for candidate in candidates)


def target_versions(
    declarations: Iterable[RuntimeDeclaration], cycle: ReleaseCycle, on: date
) -> tuple[str, ...]:
    """The minor versions a project targets on day `on`, oldest first, for evaluating markers.

    The union of the exact versions declared and, for each specifier, every 3.x version of the table
    released by `on` or in prerelease that it admits. With no declarations, every version released
    (or in prerelease) and not yet end-of-life on `on`.
    """
    declared = list(declarations)
    available = [
        version for version in cycle.versions if cycle.status(version, on).status is not ReleaseStatus.FEATURE
    ]
    targets: set[str] = set()
    for declaration in declared:
        if isinstance(declaration, VersionDeclaration):
            targets.add(declaration.minor)
        elif isinstance(declaration, RangeDeclaration):
            targets.update(
                version
                for version in available
                if version.startswith("3.") and admits_minor(declaration.specifier, version)
            )
    if not declared:
        targets.update(
            version
            for version in available
            if cycle.status(version, on).status is not ReleaseStatus.END_OF_LIFE
        )
    return tuple(sorted(targets, key=Version))
