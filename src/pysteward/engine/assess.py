"""Building an `Assessment`: discover projects, read manifests, match advisories, judge runtimes.

paths ──► discover ──► parse manifests ─┬─► markers vs targets ─► dependencies
                                        ├─► advisories (one query for every pinned name)
project files ──► runtime declarations ─┴─► end-of-life, Python 2 ─► findings ─► ignores
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

from pysteward import __version__
from pysteward.engine import inventory
from pysteward.engine.assessment import Assessment, DatabaseInfo, FailOn, ProjectAssessment
from pysteward.engine.checks import Check, DependencyChecks, gather_index_facts
from pysteward.engine.config import Config, find_config_file, load_config
from pysteward.engine.findings import ExpiredIgnoreFinding
from pysteward.engine.inventory.discover import ProjectFiles, discover, parser_for_file
from pysteward.engine.model import DirectReference, Manifest
from pysteward.engine.observer import NullObserver, Observer
from pysteward.engine.project import ProjectInput, assess_project
from pysteward.engine.typosquat import PopularNames
from pysteward.engine.vulnerabilities import VulnerabilitySource, open_database
from pysteward.errors import InputError, InputErrors

__all__ = ["AssessRequest", "assess", "settings_for"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessRequest:
    """What to assess and how."""

    paths: tuple[Path, ...] = ()
    requirements: tuple[Path, ...] = ()
    environments: tuple[Path, ...] = ()
    config: Config = field(default_factory=Config)
    on: date
    checks: frozenset[Check] = frozenset()
    """Optional checks to run; a library caller gets none unless it asks (the CLI asks for all)."""
    offline: bool = True
    """Read package-index facts (licenses, health) from the cache only."""


def settings_for(
    *,
    paths: Sequence[Path],
    config_path: Path | None,
    fail_on: str | None,
    pythons: Sequence[str],
    eol_warning_days: int | None,
    exclude: Sequence[str] = (),
) -> Config:
    """The configuration file's settings with the command line's on top."""
    if config_path is None and paths:
        first = paths[0]
        config_path = find_config_file(first if first.is_dir() else first.parent)
    config = load_config(config_path)
    if fail_on is not None:
        config = replace(config, fail_on=FailOn(fail_on))
    if pythons:
        config = replace(config, python_versions=tuple(_minor(p) for p in pythons))
    if eol_warning_days is not None:
        config = replace(config, eol_warning_days=eol_warning_days)
    if exclude:
        config = replace(config, exclude=config.exclude + tuple(exclude))
    return config


def _minor(text: str) -> str:
    parts = text.strip().split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise InputError(f"--python {text!r}: expected a version such as 3.12")
    return f"{parts[0]}.{parts[1]}"


def _inputs(request: AssessRequest) -> list[ProjectFiles]:
    """Every project the request names, files in the same directory merged into one project."""
    parsers = inventory.PARSERS
    projects: dict[Path, ProjectFiles] = {}

    def add(found: ProjectFiles) -> None:
        known = projects.get(found.directory)
        if known is None:
            projects[found.directory] = found
        else:
            files = known.files + tuple(f for f in found.files if f not in known.files)
            projects[found.directory] = ProjectFiles(found.directory, files, known.sources or found.sources)

    for path in request.paths:
        if path.is_dir():
            for found in discover(path, parsers, request.config.exclude):
                add(found)
        elif path.exists():
            add(ProjectFiles(path.parent, ((path, parser_for_file(path, parsers)),)))
        else:
            raise InputError("no such file or directory", path=path)
    for path in request.requirements:
        add(ProjectFiles(path.parent, ((path, inventory.REQUIREMENTS),)))
    return list(projects.values())


def _parse_all(request: AssessRequest) -> list[ProjectInput]:
    """Read every manifest, collecting every input problem before raising them together."""
    problems: list[InputError] = []

    def attempt(read: Callable[[], Manifest]) -> Manifest | None:
        try:
            return read()
        except InputErrors as group:
            problems.extend(group.leaves())
        except InputError as error:
            problems.append(error)
        return None

    inputs = []
    for found in _inputs(request):
        manifests = [attempt(partial(parser.parse, file)) for file, parser in found.files]
        inputs.append(
            ProjectInput(found.directory, tuple(m for m in manifests if m), found.sources, detect=True)
        )
    for env in request.environments:
        manifest = attempt(partial(inventory.read_environment, env))
        if manifest is not None:
            inputs.append(ProjectInput(env, (manifest,), (), detect=False))
    # A file read directly and through an include reports the same problem once.
    problems = list({str(p): p for p in problems}.values())
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InputErrors(f"{len(problems)} problems in the input", problems)
    return inputs


def assess(
    request: AssessRequest,
    *,
    database: Path | VulnerabilitySource,
    observer: Observer | None = None,
) -> Assessment:
    """Assess everything `request` names against the advisory `database`."""
    from pysteward.engine.datadir import data_dir
    from pysteward.engine.runtime import ReleaseCycle

    observer = observer or NullObserver()
    inputs = _parse_all(request)
    if not inputs:
        raise InputError(
            "no manifest, lockfile or requirements file found",
            path=request.paths[0] if request.paths else None,
        )
    source = open_database(database) if isinstance(database, Path) else database
    cycle = ReleaseCycle.load(data_dir())
    known = source.vulnerabilities_for({pin for item in inputs for pin in item.pins()})
    checks, notices = _dependency_checks(request, inputs, observer)
    not_checked = tuple(sorted(c.kind for c in Check if c not in request.checks))
    if Check.TYPOSQUATS in request.checks and checks.popular is None:
        not_checked = tuple(sorted({*not_checked, Check.TYPOSQUATS.kind}))
        notices += (
            "typosquats not checked: no list of popular package names yet; `steward db update` downloads one",
        )
    projects = tuple(
        assess_project(
            item, config=request.config, cycle=cycle, vulnerabilities=known, on=request.on, checks=checks
        )
        for item in inputs
    )
    return Assessment(
        projects=projects,
        generated_at=datetime.now(UTC).replace(microsecond=0),
        on=request.on,
        database=_info(source),
        release_cycle_as_of=cycle.as_of,
        fail_on=request.config.fail_on,
        tool_version=__version__,
        root=_root(request),
        warnings=_unused_ignores(request.config, projects, request.on) + notices,
        not_checked=not_checked,
    )


def _popular_names() -> PopularNames | None:
    from pysteward.engine.datadir import data_dir
    from pysteward.engine.typosquat import load_popular_names

    return load_popular_names(data_dir())


def _dependency_checks(
    request: AssessRequest, inputs: Sequence[ProjectInput], observer: Observer
) -> tuple[DependencyChecks, tuple[str, ...]]:
    """The checks the request asks for, with the package-index facts they need (fetched once)."""
    from pysteward.engine.health import HealthPolicy
    from pysteward.engine.licenses import LicensePolicy

    wanted = request.checks
    config = request.config
    checks = DependencyChecks(
        licenses=(config.license_policy or LicensePolicy()) if Check.LICENSES in wanted else None,
        health=(config.health_policy or HealthPolicy()) if Check.HEALTH in wanted else None,
        sast=Check.SAST in wanted,
        popular=_popular_names() if Check.TYPOSQUATS in wanted else None,
    )
    if checks.licenses is None and checks.health is None:
        return checks, ()
    pins = {
        (d.name, getattr(d, "version", None))
        for item in inputs
        for m in item.manifests
        for d in m.dependencies
        if not isinstance(d, DirectReference)
    }
    facts, notices = gather_index_facts(pins, offline=request.offline, observer=observer)
    return replace(checks, facts=facts), notices


def _info(source: VulnerabilitySource) -> DatabaseInfo | None:
    return source.info()


def _root(request: AssessRequest) -> Path:
    if request.paths:
        first = request.paths[0]
        return first if first.is_dir() else first.parent
    return Path()


def _unused_ignores(config: Config, projects: Sequence[ProjectAssessment], on: date) -> tuple[str, ...]:
    used = {i.rule_id for p in projects for i in p.ignored}
    used |= {f.ignored_id for p in projects for f in p.findings if isinstance(f, ExpiredIgnoreFinding)}
    return tuple(
        f"ignore {ignore.id} matched no finding; remove it from {config.source}"
        for ignore in config.ignores
        if ignore.id not in used and not ignore.expired(on)
    )
