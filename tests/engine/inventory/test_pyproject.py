"""PyprojectParser: PEP 621, PEP 735 dependency groups and Poetry tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory._locate import TextCursor, toml_table_spans
from pysteward.engine.inventory._poetry import poetry_alternatives
from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.pyproject import PyprojectParser
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    PinnedDependency,
    SourceKind,
    UnpinnedDependency,
)
from pysteward.errors import InputError, InputErrors

ASSETS = Path(__file__).parent / "assets" / "manifests" / "pyproject"


def leaves(group: InputErrors) -> list[InputError]:
    """The errors of a group, checking that none is itself a group."""
    errors = [error for error in group.exceptions if isinstance(error, InputError)]
    assert len(errors) == len(group.exceptions)
    return errors


def parse(name: str) -> dict[str, Dependency]:
    manifest = PyprojectParser().parse(ASSETS / name)
    return {dependency.display_name: dependency for dependency in manifest.dependencies}


def line_of(name: str, needle: str) -> int:
    lines = (ASSETS / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def test_it_claims_only_pyproject_toml() -> None:
    parser = PyprojectParser()
    assert parser.claims(Path("a/pyproject.toml"))
    assert not parser.claims(Path("a/pyproject.toml.bak"))


def test_it_reads_pep_621_dependencies_with_their_lines() -> None:
    manifest = PyprojectParser().parse(ASSETS / "pep621.toml")
    main = [d for d in manifest.dependencies if d.scopes == ("main",)]
    assert [d.display_name for d in main] == ["httpx", "rich", "click", "internal"]
    httpx, rich, click, internal = main
    assert isinstance(httpx, PinnedDependency) and httpx.version == Version("0.27.0")
    assert isinstance(rich, UnpinnedDependency) and rich.specifier == SpecifierSet(">=13,<14")
    assert isinstance(click, UnpinnedDependency) and click.specifier == SpecifierSet()
    assert isinstance(internal, DirectReference) and internal.kind is SourceKind.URL
    assert [d.location.line for d in main] == [line_of("pep621.toml", f'"{d.display_name}') for d in main]
    assert all(d.direct is True for d in manifest.dependencies)
    assert manifest.python_requires == SpecifierSet(">=3.10")
    assert manifest.kind == "pyproject.toml" and not manifest.is_lock


def test_it_scopes_optional_dependencies_by_extra() -> None:
    manifest = PyprojectParser().parse(ASSETS / "pep621.toml")
    extras = {
        (d.display_name, d.scopes, d.location.line) for d in manifest.dependencies if d.scopes != ("main",)
    }
    test_line = line_of("pep621.toml", "test = ")
    assert extras == {
        ("pytest", ("test",), test_line),
        ("httpx", ("test",), test_line),
        ("sphinx", ("docs",), line_of("pep621.toml", "docs = ")),
    }
    sphinx = next(d for d in manifest.dependencies if d.display_name == "sphinx")
    assert str(sphinx.marker) == 'python_version >= "3.10"'


def test_it_gives_included_group_requirements_every_including_group_as_scope() -> None:
    dependencies = parse("groups.toml")
    assert dependencies["ruff"].scopes == ("ci", "lint", "typing")
    assert dependencies["mypy"].scopes == ("ci", "typing")
    assert dependencies["coverage"].scopes == ("ci",)
    assert len(dependencies) == 3
    assert dependencies["coverage"].location.line == line_of("groups.toml", "coverage")


@pytest.mark.parametrize(
    ("asset", "message"),
    [
        ("groups-cycle.toml", "dependency groups include each other in a cycle: alpha -> beta -> alpha"),
        ("groups-unknown.toml", "dependency group 'test' includes unknown group 'missing'"),
        ("invalid-requirement.toml", "invalid requirement 'not a requirement =='"),
        ("bad-poetry-constraint.toml", "invalid poetry constraint '^not-a-version'"),
        ("dependencies-not-a-list.toml", "project.dependencies must be an array of requirement strings"),
        ("invalid-toml.toml", "invalid TOML"),
    ],
)
def test_it_rejects_bad_files_with_path_line_and_reason(asset: str, message: str) -> None:
    with pytest.raises(InventoryError) as caught:
        PyprojectParser().parse(ASSETS / asset)
    assert message in str(caught.value)
    assert caught.value.path == str(ASSETS / asset)
    assert caught.value.line is not None


def test_it_reports_every_problem_of_a_file_at_once() -> None:
    with pytest.raises(InputErrors) as caught:
        PyprojectParser().parse(ASSETS / "several-invalid.toml")
    messages = sorted(str(error) for error in leaves(caught.value))
    assert len(messages) == 3
    assert any("invalid requires-python 'at least three'" in message for message in messages)
    assert {error.line for error in leaves(caught.value)} == {4, 6, 7}


def test_it_warns_that_dynamic_dependencies_are_not_listed() -> None:
    manifest = PyprojectParser().parse(ASSETS / "dynamic.toml")
    assert manifest.dependencies == ()
    assert len(manifest.warnings) == 1 and "dynamic" in manifest.warnings[0]


def test_it_reads_nothing_from_a_file_without_dependency_tables() -> None:
    manifest = PyprojectParser().parse(ASSETS / "no-project.toml")
    assert manifest.dependencies == () and manifest.warnings == () and manifest.python_requires is None


def test_it_translates_poetry_constraints() -> None:
    dependencies = parse("poetry.toml")
    expected = {
        "requests": ">=2.31.0,<3.0.0",
        "attrs": ">=0.2,<0.3",
        "idna": ">=1.2,<1.3",
        "anything": "",
        "pep440": ">=1.0,<2.0",
        "spaced": ">=1.0,<2.0",
        "pytest": ">=7.4,<8.0",
    }
    for name, specifier in expected.items():
        dependency = dependencies[name]
        assert isinstance(dependency, UnpinnedDependency), name
        assert dependency.specifier == SpecifierSet(specifier), name
    exact = dependencies["exact"]
    assert isinstance(exact, PinnedDependency) and exact.version == Version("1.2.3")
    assert "python" not in dependencies


def test_it_reads_poetry_tables_for_extras_markers_python_and_optional() -> None:
    dependencies = parse("poetry.toml")
    tabled, later, optional = dependencies["tabled"], dependencies["later"], dependencies["extra-only"]
    assert tabled.extras == ("socks",) and str(tabled.marker) == 'sys_platform == "linux"'
    assert later.marker is not None
    assert later.marker.evaluate({"python_full_version": "3.12.0"})
    assert not later.marker.evaluate({"python_full_version": "3.9.1"})
    assert optional.scopes == ("optional",) and isinstance(optional, PinnedDependency)
    assert dependencies["tabled"].location.line == line_of("poetry.toml", "tabled =")


def test_it_reads_poetry_git_path_and_url_sources_as_direct_references() -> None:
    dependencies = parse("poetry.toml")
    fromgit, branchy = dependencies["fromgit"], dependencies["branchy"]
    assert isinstance(fromgit, DirectReference) and fromgit.kind is SourceKind.VCS
    assert fromgit.commit == "0123456789abcdef0123456789abcdef01234567"
    assert fromgit.url == "git+https://example.invalid/fromgit.git@0123456789abcdef0123456789abcdef01234567"
    assert isinstance(branchy, DirectReference) and branchy.commit is None and branchy.url.endswith("@main")
    assert isinstance(dependencies["sibling"], DirectReference)
    assert dependencies["sibling"].source is SourceKind.EDITABLE
    assert dependencies["vendored"].source is SourceKind.PATH
    assert dependencies["remote"].source is SourceKind.URL


def test_it_reports_poetry_multiple_constraints_unpinned_with_the_union() -> None:
    dependencies = parse("poetry.toml")
    for name in ("multi", "either"):
        dependency = dependencies[name]
        assert isinstance(dependency, UnpinnedDependency) and dependency.specifier == SpecifierSet()
        assert dependency.requirement is not None and " || " in dependency.requirement
    assert dependencies["either"].requirement == "either<2.0,>=1.0 || either<4.0,>=3.0"
    assert dependencies["multi"].location.line == line_of("poetry.toml", "multi = [")


def test_it_scopes_poetry_groups_and_legacy_dev_dependencies() -> None:
    dependencies = parse("poetry.toml")
    assert dependencies["pytest"].scopes == ("dev",)
    assert dependencies["mkdocs"].scopes == ("docs",)
    assert isinstance(dependencies["mkdocs"], PinnedDependency)


def test_it_takes_python_requires_from_poetry_when_project_has_none() -> None:
    manifest = PyprojectParser().parse(ASSETS / "poetry.toml")
    assert manifest.python_requires == SpecifierSet(">=3.9,<4.0")


def test_it_does_not_read_poetry_2_enrichment_tables_as_more_dependencies() -> None:
    manifest = PyprojectParser().parse(ASSETS / "poetry2.toml")
    assert [(d.display_name, d.requirement) for d in manifest.dependencies] == [
        ("requests", "requests>=2.31")
    ]


@pytest.mark.parametrize(
    ("constraint", "specifiers"),
    [
        ("^1.2.3", [">=1.2.3,<2.0.0"]),
        ("^0.2", [">=0.2,<0.3"]),
        ("^0.0.3", [">=0.0.3,<0.0.4"]),
        ("^0", [">=0,<1"]),
        ("^0.0", [">=0.0,<0.1"]),
        ("~1.2", [">=1.2,<1.3"]),
        ("~1", [">=1,<2"]),
        ("~=1.2", ["~=1.2"]),
        ("*", [""]),
        ("1.2.*", ["==1.2.*"]),
        ("=1.0", ["==1.0"]),
        ("1.2.3", ["==1.2.3"]),
        (">=1, !=1.5", [">=1,!=1.5"]),
        ("^1 || ^3.1", [">=1,<2", ">=3.1,<4.0"]),
    ],
)
def test_it_translates_each_poetry_constraint_form(constraint: str, specifiers: list[str]) -> None:
    assert poetry_alternatives(constraint) == specifiers


@pytest.mark.parametrize("constraint", ["^", ">=1.0 @@", "^1.x.y"])
def test_it_refuses_unreadable_poetry_constraints(constraint: str) -> None:
    with pytest.raises(ValueError, match=r"cannot read|Invalid"):
        poetry_alternatives(constraint)


def test_it_gives_no_line_when_a_requirement_is_written_with_escapes(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\ndependencies = ["r\\u0065quests==2.0"]\n', encoding="utf-8")
    (dependency,) = PyprojectParser().parse(path).dependencies
    assert dependency.name == "requests" and dependency.location.line is None


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ('project = "x"\n', 1, "[project] must be a table"),
        ('[project]\ndependencies = ["a", 3]\n', 2, "project.dependencies[1] must be a requirement string"),
        ('[project]\noptional-dependencies = ["a"]\n', 2, "project.optional-dependencies must be a table"),
        ('dependency-groups = ["a"]\n', 1, "[dependency-groups] must be a table"),
        ('[dependency-groups]\ntest = "pytest"\n', 2, "dependency group 'test' must be an array"),
        ("[dependency-groups]\ntest = [3]\n", 2, "dependency group 'test' has an entry that is neither"),
        ('[tool.poetry]\ndependencies = ["a"]\n', None, "[tool.poetry.dependencies] must be a table"),
        (
            "[tool.poetry.dependencies]\npython = { version = '^3.8' }\n",
            2,
            "the python constraint must be a string",
        ),
        ("[tool.poetry.dependencies]\nx = { version = 1 }\n", 2, "x: the version must be a string"),
        ("[tool.poetry.dependencies]\nx = { version = '1', extras = 'a' }\n", 2, "x: extras must be a list"),
        ("[tool.poetry.dependencies]\nx = 3\n", 2, "x: expected a constraint string or table"),
    ],
)
def test_it_rejects_tables_of_the_wrong_shape(
    tmp_path: Path, content: str, line: int | None, message: str
) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InventoryError) as caught:
        PyprojectParser().parse(path)
    assert caught.value.line == line
    assert caught.value.message.startswith(message)


def test_it_ignores_poetry_groups_without_dependencies_and_an_or_python(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.poetry.dependencies]\npython = "~2.7 || ^3.8"\n\n'
        '[tool.poetry.group.empty]\noptional = true\n\n[tool.poetry.group.lint.dependencies]\nruff = "*"\n',
        encoding="utf-8",
    )
    manifest = PyprojectParser().parse(path)
    assert manifest.python_requires is None
    assert [(d.name, d.scopes, d.location.line) for d in manifest.dependencies] == [("ruff", ("lint",), 8)]


def test_its_text_cursor_finds_values_in_order_and_leaves_missing_ones_unplaced() -> None:
    text = '[a]\nx = ["foo", "foobar"]\n[b]\ny = "foo"\n'
    cursor = TextCursor(text, toml_table_spans(text, "a"))
    assert cursor.find_key("x") == 2
    assert [cursor.find('"foo"'), cursor.find('"foobar"'), cursor.find('"foo"')] == [2, 2, None]
    assert cursor.find_key("y") is None
    assert TextCursor(text).find_key("y") == 4
