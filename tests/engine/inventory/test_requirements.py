"""The requirements-file parser: pip syntax, includes, constraints, and every failure mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pysteward.engine.inventory.interface import InventoryError
from pysteward.engine.inventory.requirements import RequirementsParser, scopes_for
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Manifest,
    PinnedDependency,
    SourceKind,
    UnpinnedDependency,
)
from pysteward.errors import InputError, InputErrors

ASSETS = Path(__file__).parent / "assets" / "requirements"
HASH_A = "sha256:" + "a" * 64
HASH_B = "sha256:" + "b" * 64


def flat(group: InputErrors) -> list[InputError]:
    """The group's errors, each checked to be a plain `InputError` (no nested groups)."""
    errors = list(group.exceptions)
    assert all(isinstance(error, InputError) for error in errors)
    return [error for error in errors if isinstance(error, InputError)]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def parse_text(tmp_path: Path, text: str, name: str = "requirements.txt") -> Manifest:
    return RequirementsParser().parse(write(tmp_path, name, text))


def by_name(manifest: Manifest) -> dict[str, Dependency]:
    return {dep.name: dep for dep in manifest.dependencies}


# --- discovery -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "requirements.txt",
        "Requirements.txt",
        "requirements-dev.txt",
        "requirements_test.txt",
        "dev-requirements.txt",
        "test_requirements.txt",
        "constraints.txt",
        "requirements.in",
        "requirements/base.txt",
        "requirements/anything.txt",
    ],
)
def test_it_claims_the_usual_requirements_file_names(path: str) -> None:
    assert RequirementsParser().claims(Path("project") / path)


@pytest.mark.parametrize("path", ["setup.py", "notes.txt", "requirements/base.in", "docs/index.txt"])
def test_it_does_not_claim_other_files(path: str) -> None:
    assert not RequirementsParser().claims(Path("project") / path)


def test_it_returns_a_requirements_manifest_that_is_not_a_lock(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, "flask==2.0\n")
    assert manifest.kind == "requirements"
    assert manifest.is_lock is False
    assert manifest.path == tmp_path / "requirements.txt"
    assert manifest.warnings == ()


# --- requirements and versions ---------------------------------------------------------------------


def test_it_pins_only_exact_versions(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "a==1.2\nb===1.0\nc>=1.0\nd>=1.0,<2\ne==1.*\nf\ng~=1.4\nh!=3\ni===not-pep440\n",
    )
    deps = by_name(manifest)
    assert isinstance(deps["a"], PinnedDependency)
    assert deps["a"].version == Version("1.2")
    assert isinstance(deps["b"], PinnedDependency)
    assert deps["b"].version == Version("1.0")
    unpinned = [("c", ">=1.0"), ("d", ">=1.0,<2"), ("e", "==1.*"), ("g", "~=1.4"), ("h", "!=3")]
    unpinned.append(("i", "===not-pep440"))
    for name, specifier in unpinned:
        dep = deps[name]
        assert isinstance(dep, UnpinnedDependency), name
        assert dep.specifier == SpecifierSet(specifier)
    bare = deps["f"]
    assert isinstance(bare, UnpinnedDependency)
    assert bare.specifier == SpecifierSet()
    assert [dep.location.line for dep in manifest.dependencies] == list(range(1, 10))


def test_it_keeps_extras_markers_and_the_requirement_text(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, 'Celery [redis, sqs] == 5.3.0 ; python_version < "3.12"  # queue\n')
    (dep,) = manifest.dependencies
    assert dep.name == "celery"
    assert dep.display_name == "Celery"
    assert dep.extras == ("redis", "sqs")
    assert dep.marker == Marker('python_version < "3.12"')
    assert dep.requirement == 'Celery [redis, sqs] == 5.3.0 ; python_version < "3.12"'


def test_it_strips_comments_but_not_url_fragments(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "# header\n"
        "   # indented comment\n"
        "six==1.16 # trailing\n"
        "https://dl.example.invalid/pkg-1.0.tar.gz#egg=pkg\n",
    )
    deps = by_name(manifest)
    assert deps["six"].requirement == "six==1.16"
    pkg = deps["pkg"]
    assert isinstance(pkg, DirectReference)
    assert pkg.url == "https://dl.example.invalid/pkg-1.0.tar.gz#egg=pkg"


def test_it_joins_continued_lines_at_the_first_physical_line(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        f"\nflask \\\n  ==2.0 \\\n  --hash={HASH_A} \\\n  --hash={HASH_B}\nclick==8.0\n",
    )
    flask, click = manifest.dependencies
    assert flask.location.line == 2
    assert isinstance(flask, PinnedDependency)
    assert flask.version == Version("2.0")
    assert flask.hashes == (HASH_A, HASH_B)
    assert click.location.line == 6


def test_it_accepts_a_backslash_on_the_last_line(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, "a==1.0\nb==2.0 \\")
    assert [(dep.name, dep.location.line) for dep in manifest.dependencies] == [("a", 1), ("b", 2)]


def test_a_comment_line_ends_a_continued_line(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, "a==1.0 \\\n# comment \\\nb==2.0\n")
    assert [(dep.name, dep.location.line) for dep in manifest.dependencies] == [("a", 1), ("b", 3)]


def test_it_collects_hashes_in_every_option_form(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, f"a==1.0 --hash={HASH_A} --hash {HASH_B}\n")
    (dep,) = manifest.dependencies
    assert dep.hashes == (HASH_A, HASH_B)
    assert dep.has_hashes


def test_it_strips_per_requirement_options(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "a==1.0 --global-option=x --install-option y --config-settings k=v\nb-Client==1.0 -C k=v\n",
    )
    assert [(dep.display_name, dep.requirement) for dep in manifest.dependencies] == [
        ("a", "a==1.0"),
        ("b-Client", "b-Client==1.0"),
    ]
    assert manifest.warnings == ()


def test_it_ignores_global_options(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "-i https://index.example.invalid/simple\n"
        "--index-url=https://index.example.invalid/simple\n"
        "--extra-index-url https://extra.example.invalid/simple\n"
        "--no-index\n-f ./wheels\n--find-links=./wheels\n--trusted-host index.example.invalid\n"
        "--pre\n--prefer-binary\n--require-hashes\n--only-binary :all:\n--no-binary=:none:\n"
        "--use-feature=truststore\n-Z\n--always-unzip\n"
        "flask==2.0\n",
    )
    assert [dep.name for dep in manifest.dependencies] == ["flask"]
    assert manifest.warnings == ()


def test_it_warns_about_text_after_options_and_hashes_without_a_requirement(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, f"a==1.0 --hash={HASH_A} leftover\n--hash={HASH_B}\n")
    (dep,) = manifest.dependencies
    assert dep.hashes == (HASH_A,)
    path = tmp_path / "requirements.txt"
    assert manifest.warnings == (
        f"{path}:1: text after the options is ignored: 'leftover'",
        f"{path}:2: --hash without a requirement is ignored (is a line continuation missing?)",
    )


# --- includes and constraints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["-r base.txt", "-rbase.txt", "-r=base.txt", "--requirement=base.txt", "--requirement base.txt"]
)
def test_it_reads_includes_in_every_option_form(tmp_path: Path, line: str) -> None:
    base = write(tmp_path, "base.txt", "\ndjango==4.2\n")
    manifest = parse_text(tmp_path, f"flask==2.0\n{line}\nclick>=8\n")
    assert [dep.name for dep in manifest.dependencies] == ["flask", "django", "click"]
    django = by_name(manifest)["django"]
    assert (django.location.path, django.location.line) == (base, 2)
    assert django.direct is True


def test_it_resolves_includes_relative_to_the_including_file(tmp_path: Path) -> None:
    write(tmp_path, "requirements/base.txt", "-r ../common/shared.txt\nflask==2.0\n")
    write(tmp_path, "common/shared.txt", "six==1.16\n")
    manifest = parse_text(tmp_path, "-r requirements/base.txt\n")
    assert [(dep.name, dep.location.path.name) for dep in manifest.dependencies] == [
        ("six", "shared.txt"),
        ("flask", "base.txt"),
    ]


def test_it_stops_at_include_cycles_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "other.txt", "b==2.0\n-r requirements.txt\n")
    manifest = parse_text(tmp_path, "a==1.0\n-r other.txt\n")
    assert [dep.name for dep in manifest.dependencies] == ["a", "b"]
    top, other = tmp_path / "requirements.txt", tmp_path / "other.txt"
    assert manifest.warnings == (f"{other}:2: include cycle {top} -> {other} -> {top}; not read again",)


def test_a_file_including_itself_is_a_cycle(tmp_path: Path) -> None:
    manifest = parse_text(tmp_path, "a==1.0\n-r requirements.txt\n")
    assert [dep.name for dep in manifest.dependencies] == ["a"]
    assert len(manifest.warnings) == 1
    assert "include cycle" in manifest.warnings[0]


def test_a_file_included_twice_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, "common.txt", "six==1.16\n")
    write(tmp_path, "a.txt", "-r common.txt\n")
    manifest = parse_text(tmp_path, "-r a.txt\n-r common.txt\n")
    assert [dep.name for dep in manifest.dependencies] == ["six"]
    assert manifest.warnings == ()


def test_constraints_pin_unpinned_requirements_without_adding_any(tmp_path: Path) -> None:
    write(tmp_path, "constraints.txt", "flask==2.3.1\nunrelated==9.9\nclick==8.1.0\n")
    manifest = parse_text(tmp_path, "-c constraints.txt\nflask>=2\nclick==8.0\n")
    flask, click = manifest.dependencies
    assert isinstance(flask, PinnedDependency)
    assert flask.version == Version("2.3.1")
    assert (flask.location.path.name, flask.location.line) == ("requirements.txt", 2)
    assert flask.requirement == "flask>=2"
    assert isinstance(click, PinnedDependency)
    assert click.version == Version("8.0")
    assert "unrelated" not in by_name(manifest)


def test_constraints_reach_through_includes_and_nested_constraint_files(tmp_path: Path) -> None:
    write(tmp_path, "constraints.txt", "-r pins.txt\n")
    write(tmp_path, "pins.txt", "flask==2.3.1\n")
    write(tmp_path, "base.txt", "flask\n")
    manifest = parse_text(tmp_path, "--constraint=constraints.txt\n-r base.txt\n")
    (flask,) = manifest.dependencies
    assert isinstance(flask, PinnedDependency)
    assert flask.version == Version("2.3.1")
    assert flask.location.path.name == "base.txt"


def test_a_conflicting_constraint_leaves_the_requirement_unpinned_with_a_warning(tmp_path: Path) -> None:
    constraints = write(tmp_path, "constraints.txt", "flask==1.0\n")
    manifest = parse_text(tmp_path, "-c constraints.txt\nflask>=2\n")
    (flask,) = manifest.dependencies
    assert isinstance(flask, UnpinnedDependency)
    path = tmp_path / "requirements.txt"
    assert manifest.warnings == (
        f"{path}:2: constraint flask==1.0 ({constraints}:1) conflicts with 'flask>=2'; left unpinned",
    )


def test_constraints_with_markers_are_not_applied(tmp_path: Path) -> None:
    write(tmp_path, "constraints.txt", 'flask==2.3.1; sys_platform == "win32"\n')
    manifest = parse_text(tmp_path, "-c constraints.txt\nflask>=2\n")
    assert isinstance(manifest.dependencies[0], UnpinnedDependency)


# --- environment variables -------------------------------------------------------------------------


def test_it_expands_set_environment_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_VERSION", "2.3.1")
    manifest = parse_text(tmp_path, "flask==${FLASK_VERSION}\n")
    (flask,) = manifest.dependencies
    assert isinstance(flask, PinnedDependency)
    assert flask.version == Version("2.3.1")
    assert manifest.warnings == ()


def test_an_unset_variable_gives_an_unpinned_requirement_and_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_TEST_UNSET", raising=False)
    manifest = parse_text(tmp_path, "a==1.0\nqwert==${STEWARD_TEST_UNSET}.${STEWARD_TEST_UNSET}\n")
    qwert = by_name(manifest)["qwert"]
    assert isinstance(qwert, UnpinnedDependency)
    assert qwert.specifier == SpecifierSet()
    assert qwert.requirement == "qwert==${STEWARD_TEST_UNSET}.${STEWARD_TEST_UNSET}"
    assert qwert.location.line == 2
    path = tmp_path / "requirements.txt"
    assert manifest.warnings == (f"{path}:2: environment variable STEWARD_TEST_UNSET is not set",)


def test_a_requirement_named_by_an_unset_variable_is_skipped_with_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_TEST_UNSET", raising=False)
    manifest = parse_text(tmp_path, "${STEWARD_TEST_UNSET}==1.0\n")
    assert manifest.dependencies == ()
    assert len(manifest.warnings) == 2
    assert "cannot tell the project name" in manifest.warnings[1]


def test_only_braced_upper_case_names_are_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    manifest = parse_text(tmp_path, "https://dl.example.invalid/$HOME/pkg-1.0.tar.gz\n")
    (pkg,) = manifest.dependencies
    assert isinstance(pkg, DirectReference)
    assert pkg.url == "https://dl.example.invalid/$HOME/pkg-1.0.tar.gz"


# --- direct references -----------------------------------------------------------------------------


def test_it_reads_named_and_bare_url_requirements(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "urllib3 @ https://dl.example.invalid/urllib3-1.26.8.zip\n"
        "https://dl.example.invalid/files/Some_Pkg-1.0.tar.gz#sha256=abc123\n"
        "https://dl.example.invalid/wheels/wxPython_Phoenix-3.0.3.dev1+g49a-cp34-none-win_amd64.whl\n"
        "https://dl.example.invalid/download?id=1#egg=named[extra]\n",
    )
    urllib3, sdist, wheel, named = manifest.dependencies
    assert all(isinstance(dep, DirectReference) and dep.kind is SourceKind.URL for dep in (urllib3, sdist))
    assert isinstance(sdist, DirectReference)
    assert (sdist.name, sdist.display_name, sdist.version) == ("some-pkg", "Some_Pkg", Version("1.0"))
    assert sdist.hashes == ("sha256:abc123",)
    assert isinstance(wheel, DirectReference)
    assert wheel.kind is SourceKind.URL
    assert (wheel.name, wheel.version) == ("wxpython-phoenix", Version("3.0.3.dev1+g49a"))
    assert named.name == "named"


def test_it_reads_vcs_requirements_with_their_revision(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "git+https://git.example.invalid/org/tool.git@v1.2#egg=tool\n"
        "lib @ git+ssh://git@git.example.invalid/org/lib.git@0123abcd\n"
        "hg+https://hg.example.invalid/repo#egg=norev\n",
    )
    tool, lib, norev = manifest.dependencies
    assert isinstance(tool, DirectReference)
    assert (tool.kind, tool.name, tool.commit) == (SourceKind.VCS, "tool", "v1.2")
    assert isinstance(lib, DirectReference)
    assert (lib.kind, lib.name, lib.commit) == (SourceKind.VCS, "lib", "0123abcd")
    assert isinstance(norev, DirectReference)
    assert (norev.kind, norev.commit) == (SourceKind.VCS, None)


def test_it_reads_local_paths_and_file_urls(tmp_path: Path) -> None:
    (tmp_path / "vendor" / "my-lib").mkdir(parents=True)
    manifest = parse_text(
        tmp_path,
        "./downloads/numpy-1.9.2-cp34-none-win32.whl\n"
        './vendor/my-lib[fast] ; sys_platform == "linux"\n'
        f"file://{tmp_path}/vendor/my-lib\n"
        "local-1.0.tar.gz\n",
    )
    wheel, lib, file_url, archive = manifest.dependencies
    assert all(
        isinstance(dep, DirectReference) and dep.kind is SourceKind.PATH for dep in manifest.dependencies
    )
    assert isinstance(wheel, DirectReference)
    assert (wheel.name, wheel.version, wheel.url) == (
        "numpy",
        Version("1.9.2"),
        "./downloads/numpy-1.9.2-cp34-none-win32.whl",
    )
    assert (lib.name, lib.extras, lib.marker) == ("my-lib", ("fast",), Marker('sys_platform == "linux"'))
    assert file_url.name == "my-lib"
    assert archive.name == "local"


def test_it_reads_editables_from_paths_vcs_urls_and_named_urls(tmp_path: Path) -> None:
    project = tmp_path / "my_project"
    project.mkdir()
    manifest = parse_text(
        project,
        "-e .\n"
        "-e ./plugins/extra-plugin[dev]\n"
        "--editable git+https://git.example.invalid/org/tool.git@main#egg=tool\n"
        "-e lib @ file:///srv/lib\n",
    )
    here, plugin, tool, lib = manifest.dependencies
    assert all(
        isinstance(d, DirectReference) and d.kind is SourceKind.EDITABLE for d in manifest.dependencies
    )
    assert (here.name, plugin.name, plugin.extras) == ("my-project", "extra-plugin", ("dev",))
    assert isinstance(tool, DirectReference)
    assert (tool.name, tool.commit, tool.url) == (
        "tool",
        "main",
        "git+https://git.example.invalid/org/tool.git@main#egg=tool",
    )
    assert isinstance(lib, DirectReference)
    assert (lib.name, lib.url) == ("lib", "file:///srv/lib")


# --- direct / transitive and scopes ----------------------------------------------------------------


def test_pip_compile_annotations_decide_which_requirements_are_direct(tmp_path: Path) -> None:
    manifest = parse_text(
        tmp_path,
        "#\n#    pip-compile --output-file=requirements.txt requirements.in\n#\n"
        "flask==2.0 \\\n    --hash=sha256:aa\n    # via -r requirements.in\n"
        "click==8.0\n    # via\n    #   -c constraints.txt\n    #   flask\n"
        "itsdangerous==2.1    # via flask\n"
        "jinja2==3.1\n    # via\n    #   flask\n    #   mything (pyproject.toml)\n"
        "markupsafe==2.1\n    # via jinja2\n\n"
        "# The following packages are considered to be unsafe in a requirements file:\n"
        "setuptools==70.0\n",
    )
    direct = {dep.name: dep.direct for dep in manifest.dependencies}
    assert direct == {
        "flask": True,
        "click": True,
        "itsdangerous": False,
        "jinja2": True,
        "markupsafe": False,
        "setuptools": False,
    }


def test_without_annotations_every_requirement_is_direct(tmp_path: Path) -> None:
    write(tmp_path, "base.txt", "six==1.16\n")
    manifest = parse_text(
        tmp_path, "-r base.txt\nflask==2.0\n\n# via is only a word here, after a blank line\n"
    )
    assert [dep.direct for dep in manifest.dependencies] == [True, True]


@pytest.mark.parametrize(
    ("name", "scopes"),
    [
        ("requirements.txt", ("main",)),
        ("requirements-dev.txt", ("dev",)),
        ("dev-requirements.txt", ("dev",)),
        ("requirements_test.txt", ("test",)),
        ("requirements/tests.txt", ("test",)),
        ("requirements/docs.txt", ("docs",)),
        ("requirements-lint.txt", ("lint",)),
        ("requirements/base.txt", ("main",)),
        ("requirements-prod.txt", ("main",)),
        ("requirements-py311.txt", ("main",)),
        ("requirements-dev-test.txt", ("dev", "test")),
        ("constraints.txt", ("main",)),
    ],
)
def test_the_file_name_gives_the_scopes(name: str, scopes: tuple[str, ...]) -> None:
    assert scopes_for(Path(name)) == scopes


def test_dependencies_carry_their_own_files_scopes(tmp_path: Path) -> None:
    write(tmp_path, "requirements.txt", "flask==2.0\n")
    manifest = parse_text(tmp_path, "-r requirements.txt\npytest==8.0\n", name="requirements-dev.txt")
    assert [(dep.name, dep.scopes) for dep in manifest.dependencies] == [
        ("flask", ("main",)),
        ("pytest", ("dev",)),
    ]


# --- failure modes ---------------------------------------------------------------------------------

FAILURES = [
    ("invalid-requirement.txt", 2, "invalid requirement 'foo==': "),
    ("missing-include.txt", 2, "requirements file 'nowhere.txt' not found"),
    ("missing-constraint.txt", 2, "constraints file 'nowhere.txt' not found"),
    ("unknown-option.txt", 3, "unknown option --frobnicate"),
    ("option-without-value.txt", 2, "option -r needs a value"),
    ("empty-option-value.txt", 2, "option -r needs a value"),
    (
        "path-without-name.txt",
        1,
        "cannot tell the project name of './_private_': add '#egg=name' or write it as 'name @ url'",
    ),
    ("flag-with-value.txt", 1, "option --pre takes no value"),
    ("hash-without-algorithm.txt", 1, "invalid --hash value 'deadbeef': expected algorithm:digest"),
    (
        "url-without-name.txt",
        1,
        "cannot tell the project name of 'https://downloads.example.invalid/download?id=3': "
        "add '#egg=name' or write it as 'name @ url'",
    ),
    (
        "invalid-wheel-name.txt",
        1,
        "invalid requirement 'https://downloads.example.invalid/not-a-wheel.whl': ",
    ),
    ("include-after-requirement.txt", 1, "option -r cannot follow a requirement"),
    (
        "editable-not-a-path.txt",
        1,
        "invalid editable requirement 'flask==2.0': expected a local path or a URL",
    ),
    (
        "remote-include.txt",
        1,
        "cannot read remote requirements file 'https://config.example.invalid/requirements.txt'; "
        "include a local copy",
    ),
    ("invalid-url-marker.txt", 1, "invalid requirement 'https://downloads.example.invalid/pkg-1.0.tar.gz; "),
    ("unbalanced-quote.txt", 1, "cannot split options '--config-settings \"unclosed': no closing quotation"),
    (
        "invalid-egg-name.txt",
        1,
        "invalid requirement 'https://downloads.example.invalid/archive.tgz#egg=-bad-': "
        "invalid project name '-bad-' in #egg=",
    ),
]


@pytest.mark.parametrize(("asset", "line", "message"), FAILURES)
def test_it_reports_each_bad_line_with_path_and_line(asset: str, line: int, message: str) -> None:
    path = ASSETS / asset
    with pytest.raises(InventoryError) as caught:
        RequirementsParser().parse(path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert str(caught.value).startswith(f"{path}:{line}: {message}")
    assert caught.value.message == str(caught.value).removeprefix(f"{path}:{line}: ")


def test_every_failure_mode_has_an_asset_and_every_asset_a_test() -> None:
    tested = {asset for asset, _, _ in FAILURES} | {"several-invalid-lines.txt", "invalid-included-line.txt"}
    assert tested == {path.name for path in ASSETS.iterdir()}


def test_it_reports_all_bad_lines_of_a_file_at_once() -> None:
    path = ASSETS / "several-invalid-lines.txt"
    with pytest.raises(InputErrors) as caught:
        RequirementsParser().parse(path)
    assert str(caught.value).startswith(f"{path}: 4 invalid lines")
    assert [(error.line, error.message.split(":")[0]) for error in flat(caught.value)] == [
        (1, "invalid requirement 'asdf=='"),
        (3, "invalid requirement '==1.0'"),
        (4, "requirements file 'other.txt' not found"),
        (5, "invalid requirement 'asdf 1.0'"),
    ]


def test_bad_lines_of_included_files_are_reported_at_their_own_file() -> None:
    with pytest.raises(InventoryError) as caught:
        RequirementsParser().parse(ASSETS / "invalid-included-line.txt")
    assert caught.value.path == str(ASSETS / "invalid-requirement.txt")
    assert caught.value.line == 2


def test_a_binary_top_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"flask==2.0\n\x00\x01\x02")
    with pytest.raises(InventoryError, match=r"not a text file"):
        RequirementsParser().parse(path)


def test_an_included_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "latin.txt"
    bad.write_bytes(b"caf\xe9==1.0\n")
    with pytest.raises(InventoryError) as caught:
        parse_text(tmp_path, "flask==2.0\n-r latin.txt\n")
    assert str(caught.value) == f"{bad}:1: not valid UTF-8"


# --- real-world files ------------------------------------------------------------------------------


def test_it_reads_warehouse_main_requirements_all_pinned_with_hashes(shared_data: Path) -> None:
    manifest = RequirementsParser().parse(shared_data / "real-world" / "pypi-warehouse-requirements-main.txt")
    deps = manifest.dependencies
    assert len(deps) == 184
    assert all(isinstance(dep, PinnedDependency) and dep.has_hashes for dep in deps)
    assert sum(len(dep.hashes) for dep in deps) == 2089
    assert manifest.warnings == ()
    direct = by_name(manifest)
    assert direct["alembic"].direct is True
    assert direct["amqp"].direct is False
    assert direct["setuptools"].direct is False


def test_it_reads_grafana_oncall_requirements_with_one_url_requirement(shared_data: Path) -> None:
    manifest = RequirementsParser().parse(
        shared_data / "real-world" / "grafana-oncall-engine-requirements.txt"
    )
    pinned = [dep for dep in manifest.dependencies if isinstance(dep, PinnedDependency)]
    references = [dep for dep in manifest.dependencies if isinstance(dep, DirectReference)]
    assert (len(pinned), len(references), len(manifest.dependencies)) == (154, 1, 155)
    (fcm,) = references
    assert (fcm.name, fcm.kind, fcm.direct) == ("fcm-django", SourceKind.URL, True)
    assert fcm.url.endswith("v1.0.12r1.tar.gz#sha256=" + fcm.hashes[0].removeprefix("sha256:"))


def test_it_reads_netbox_requirements_with_psycopg_extras(shared_data: Path) -> None:
    manifest = RequirementsParser().parse(
        shared_data / "real-world" / "netbox-community-netbox-requirements.txt"
    )
    assert len(manifest.dependencies) == 46
    assert all(isinstance(dep, PinnedDependency) and dep.direct for dep in manifest.dependencies)
    psycopg = by_name(manifest)["psycopg"]
    assert isinstance(psycopg, PinnedDependency)
    assert (psycopg.extras, psycopg.version) == (("c", "pool"), Version("3.3.4"))
