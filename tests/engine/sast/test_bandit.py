"""Bandit on the project's own code.

The sample sources are written to a temporary directory by the tests rather than kept as asset
files, so linters, type checkers and Steward's own self-assessment never see them.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from pysteward.engine.findings import SastFinding
from pysteward.engine.model import Location, Severity
from pysteward.engine.observer import Observer
from pysteward.engine.sast import BanditError, SastError, SastResult, run_bandit, vendored_reason

SAMPLES = {
    "shell.py": "import subprocess\n\n\ndef run(cmd):\n    subprocess.Popen(cmd, shell=True)\n",
    "config.py": "import yaml\n\n\ndef load(text):\n    return yaml.load(text)\n",
    "secrets.py": 'password = "hunter2"\n',
    "checks.py": "def check(x):\n    assert x > 0\n    return x\n",
    "calc.py": "def calc(expression):\n    return eval(expression)\n",
}


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def scan(root: Path, *names: str, observer: Observer | None = None) -> SastResult:
    return run_bandit(root, [root / name for name in names], observer=observer)


def only(result: SastResult, rule: str | None = None) -> SastFinding:
    """The one finding (for `rule`, when given: `import subprocess` is itself a finding, B404)."""
    found = [f for f in result.findings if rule is None or f.rule == rule]
    assert len(found) == 1, result.findings
    return found[0]


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    for name, text in SAMPLES.items():
        write(tmp_path, name, text)
    return tmp_path


class Expected(NamedTuple):
    rule: str
    test_name: str
    severity: Severity
    confidence: str
    line: int
    code: str


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("shell.py", Expected("B602", "subprocess_popen_with_shell_equals_true", Severity.HIGH, "high", 5,
                              "subprocess.Popen(cmd, shell=True)")),
        ("config.py", Expected("B506", "yaml_load", Severity.MEDIUM, "high", 5, "return yaml.load(text)")),
        ("secrets.py", Expected("B105", "hardcoded_password_string", Severity.LOW, "medium", 1,
                                'password = "hunter2"')),
        ("checks.py", Expected("B101", "assert_used", Severity.LOW, "high", 2, "assert x > 0")),
        ("calc.py", Expected("B307", "blacklist", Severity.MEDIUM, "high", 2, "return eval(expression)")),
    ],
)  # fmt: skip
def test_it_reports_each_issue_with_its_rule_severity_confidence_and_place(
    samples: Path, name: str, expected: Expected
) -> None:
    finding = only(scan(samples, name), expected.rule)

    assert finding.rule == expected.rule
    assert finding.test_name == expected.test_name
    assert finding.title.startswith(f"{expected.rule} {expected.test_name}: ")
    assert len(finding.title) > len(f"{expected.rule} {expected.test_name}: ")
    assert finding.severity is expected.severity
    assert finding.confidence == expected.confidence
    assert finding.locations == (Location(samples / name, expected.line),)
    assert finding.code == expected.code
    assert finding.kind == "sast"


def test_it_links_each_finding_to_bandits_documentation_for_the_test(samples: Path) -> None:
    finding = only(scan(samples, "shell.py"), "B602")

    assert finding.more_info.startswith("https://")
    assert finding.more_info.endswith("/b602_subprocess_popen_with_shell_equals_true.html")


def test_it_scans_several_files_and_sorts_findings_by_place(samples: Path) -> None:
    result = scan(samples, *sorted(SAMPLES, reverse=True))

    assert result.files_scanned == len(SAMPLES)
    assert result.skipped == ()
    assert [(f.locations[0].path.name, f.rule) for f in result.findings] == [
        ("calc.py", "B307"),
        ("checks.py", "B101"),
        ("config.py", "B506"),
        ("secrets.py", "B105"),
        ("shell.py", "B404"),
        ("shell.py", "B602"),
    ]


def test_it_respects_nosec_comments_and_counts_what_they_silenced(tmp_path: Path) -> None:
    write(
        tmp_path,
        "quiet.py",
        "import subprocess\n"
        "subprocess.Popen(cmd, shell=True)  # nosec\n"
        "subprocess.Popen(cmd, shell=True)  # nosec B602\n"
        "subprocess.Popen(cmd, shell=True)  # nosec B101\n",
    )

    result = scan(tmp_path, "quiet.py")

    # A `# nosec` naming another test silences nothing on that line.
    assert [(f.rule, f.locations[0].line) for f in result.findings] == [("B404", 1), ("B602", 4)]
    assert result.nosec_count == 2


def test_it_skips_python_2_files_with_a_reason_instead_of_failing(tmp_path: Path) -> None:
    write(tmp_path, "old.py", 'print "hello"\nexec "x = 1"\n')
    write(tmp_path, "checks.py", SAMPLES["checks.py"])

    result = scan(tmp_path, "old.py", "checks.py")

    assert result.skipped == ("old.py: syntax error while parsing AST from file",)
    assert result.files_scanned == 1
    assert only(result).rule == "B101"


def test_it_skips_files_it_cannot_read(tmp_path: Path) -> None:
    result = scan(tmp_path, "missing.py")

    assert result.files_scanned == 0
    assert len(result.skipped) == 1
    assert result.skipped[0].startswith("missing.py: ")


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        (".venv/lib/python3.11/site-packages/pkg/mod.py", "inside site-packages, not the project's own code"),
        (".venv/lib/tool.py", "inside a virtual environment, not the project's own code"),
        ("vendor/dist-packages/pkg/mod.py", "inside dist-packages, not the project's own code"),
    ],
)
def test_it_refuses_files_inside_a_virtual_environment_or_site_packages(
    tmp_path: Path, where: str, reason: str
) -> None:
    write(tmp_path, ".venv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, where, SAMPLES["shell.py"])
    write(tmp_path, "calc.py", SAMPLES["calc.py"])

    result = scan(tmp_path, where, "calc.py")

    assert result.skipped == (f"{where}: {reason}",)
    assert result.files_scanned == 1
    assert only(result).rule == "B307"


def test_it_refuses_a_virtual_environment_outside_the_project_and_names_it_as_given(tmp_path: Path) -> None:
    write(tmp_path, "env/pyvenv.cfg", "home = /usr/bin\n")
    stray = write(tmp_path, "env/lib/tool.py", SAMPLES["shell.py"])
    (tmp_path / "project").mkdir()

    result = run_bandit(tmp_path / "project", [stray])

    assert result == SastResult(
        findings=(),
        files_scanned=0,
        skipped=(f"{stray}: inside a virtual environment, not the project's own code",),
        nosec_count=0,
    )


def test_it_scans_a_file_outside_the_project_when_no_directory_above_it_is_vendored(tmp_path: Path) -> None:
    elsewhere = write(tmp_path, "elsewhere/calc.py", SAMPLES["calc.py"])
    (tmp_path / "project").mkdir()

    assert vendored_reason(elsewhere, tmp_path / "project") is None
    assert only(run_bandit(tmp_path / "project", [elsewhere])).locations == (Location(elsewhere, 2),)


def test_it_scans_a_file_named_twice_once(samples: Path) -> None:
    result = run_bandit(samples, [samples / "calc.py", samples / "." / "calc.py"])

    assert result.files_scanned == 1
    assert only(result).rule == "B307"


def test_it_returns_nothing_for_no_files(tmp_path: Path) -> None:
    assert run_bandit(tmp_path, []) == SastResult(findings=(), files_scanned=0, skipped=(), nosec_count=0)


def test_it_prints_nothing_even_for_broken_files_and_warnings(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    write(tmp_path, "old.py", 'print "hello"\n')
    # An invalid escape sequence makes `ast.parse` warn; under `-W error` the file must not be skipped.
    write(tmp_path, "escape.py", 'import re\nPATTERN = re.compile("\\d+")\nassert PATTERN\n')
    # A `# nosec` for a test that finds nothing makes Bandit log a warning.
    write(tmp_path, "stale.py", "x = 1  # nosec B602\n")
    many = [
        write(tmp_path, f"pkg/m{i}.py", f"VALUE = {i}\n") for i in range(60)
    ]  # past Bandit's progress bar

    result = run_bandit(tmp_path, [tmp_path / "old.py", tmp_path / "escape.py", tmp_path / "stale.py", *many])

    assert capfd.readouterr() == ("", "")
    assert not [r for r in caplog.records if r.name.startswith("bandit")]
    assert result.skipped == ("old.py: syntax error while parsing AST from file",)
    assert only(result).locations == (Location(tmp_path / "escape.py", 3),)


def test_it_prints_nothing_when_bandit_is_first_imported(samples: Path) -> None:
    # A fresh interpreter, because the import is when Bandit's plugin loader logs and warns.
    script = (
        "import logging, sys, warnings; from pathlib import Path; "
        "logging.basicConfig(level=logging.DEBUG); warnings.simplefilter('error'); "
        "from pysteward.engine.sast import run_bandit; "
        "root = Path(sys.argv[1]); result = run_bandit(root, [root / 'shell.py']); "
        "assert 'B602' in {f.rule for f in result.findings}, result"
    )

    done = subprocess.run(
        [sys.executable, "-c", script, str(samples)], capture_output=True, text=True, check=False
    )

    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_it_leaves_the_loggers_it_silences_as_it_found_them(samples: Path) -> None:
    loggers = [logging.getLogger("bandit"), logging.getLogger("stevedore")]
    for logger in loggers:
        logger.setLevel(logging.INFO)
    try:
        scan(samples, "calc.py")
        assert [(logger.level, logger.propagate) for logger in loggers] == [(logging.INFO, True)] * 2
    finally:
        for logger in loggers:
            logger.setLevel(logging.NOTSET)


def test_it_shows_at_most_five_lines_of_a_long_call_around_the_offending_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "long.py",
        "import subprocess\n\n\ndef run(cmd):\n    subprocess.Popen(\n"
        + "".join(f"        arg{i},\n" for i in range(8))
        + "        shell=True,\n    )\n",
    )

    finding = only(scan(tmp_path, "long.py"), "B602")

    assert finding.locations[0].line == 14
    assert finding.code.splitlines() == ["    arg5,", "    arg6,", "    arg7,", "    shell=True,", ")"]


def test_it_shows_the_whole_of_a_short_multi_line_call(tmp_path: Path) -> None:
    write(tmp_path, "short.py", "import subprocess\n\nsubprocess.Popen(\n    cmd,\n    shell=True,\n)\n")

    finding = only(scan(tmp_path, "short.py"), "B602")

    assert finding.locations[0].line == 5
    assert finding.code == "subprocess.Popen(\n    cmd,\n    shell=True,\n)"


class Recorder(Observer):
    def __init__(self, delete: Path | None = None) -> None:
        self.events: list[tuple[str, str, int | None]] = []
        self.delete = delete

    def start(self, task: str, total: int | None = None) -> None:
        self.events.append(("start", task, total))

    def advance(self, task: str, steps: int = 1) -> None:
        self.events.append(("advance", task, steps))

    def finish(self, task: str) -> None:
        self.events.append(("finish", task, None))
        if self.delete is not None:
            self.delete.unlink()


def test_it_reports_progress_to_the_observer(samples: Path) -> None:
    recorder = Recorder()

    scan(samples, "calc.py", "shell.py", observer=recorder)

    assert recorder.events == [
        ("start", "static analysis", 2),
        ("advance", "static analysis", 1),
        ("advance", "static analysis", 1),
        ("finish", "static analysis", None),
    ]


class Printer(Observer):
    def advance(self, task: str, steps: int = 1) -> None:
        print(f"{task} +{steps}", file=sys.stderr)


def test_it_lets_the_observer_draw_while_bandit_is_silenced(
    samples: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    scan(samples, "calc.py", "checks.py", observer=Printer())

    assert capfd.readouterr() == ("", "static analysis +1\nstatic analysis +1\n")


def test_it_keeps_a_finding_whose_file_vanished_after_the_scan_without_its_code(samples: Path) -> None:
    finding = only(scan(samples, "calc.py", observer=Recorder(delete=samples / "calc.py")))

    assert (finding.rule, finding.code) == ("B307", "")


def test_it_raises_a_bandit_error_when_bandit_cannot_be_loaded(
    samples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bandit.core.manager", None)

    with pytest.raises(BanditError, match=r"^bandit cannot be loaded: ") as raised:
        scan(samples, "calc.py")

    assert isinstance(raised.value, SastError)
    assert raised.value.exit_code == 3
    assert raised.value.hint
