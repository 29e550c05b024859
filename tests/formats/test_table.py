"""`--format table`: Rich tables per project, plain unless colour is asked for."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from pathlib import Path

from pysteward.engine.assessment import Assessment, FailOn
from pysteward.engine.findings import HealthFinding, LicenseFinding, Python2Finding, VulnerabilityFinding
from pysteward.engine.model import Location, Platform, Severity, Target
from pysteward.formats import JsonFormat, MarkdownFormat, SarifFormat, TableFormat
from tests.formats.conftest import sample_assessment

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def row_with(text: str, *cells: str) -> bool:
    """Whether some line of `text` holds every one of `cells` as a separate table cell, in order."""
    bar = r"\s*[│┃]\s*"
    pattern = bar + bar.join(re.escape(c) for c in cells) + bar
    return re.search(pattern, text) is not None


def test_it_heads_each_project_with_its_manifests_and_targets(sample: Assessment) -> None:
    text = TableFormat().render(sample)
    assert ".: 7 dependencies from pyproject.toml, requirements.txt; targets 3.8, 3.12 on linux" in text
    assert (
        "services/api: 3 dependencies from services/api/pyproject.toml, services/api/uv.lock; "
        "targets 3.12 on linux, windows"
    ) in text
    assert text.index(".: 7 dependencies") < text.index("services/api: 3 dependencies")


def test_it_tabulates_vulnerabilities_worst_first(sample: Assessment) -> None:
    text = TableFormat().render(sample)
    assert row_with(text, "Package", "Version", "ID", "Severity", "Fix", "Aliases")
    assert row_with(
        text, "jinja2", "2.10", "PYSEC-2019-217", "high", "2.10.1", "CVE-2019-10906, GHSA-462w-v97r-4m45"
    )
    assert row_with(text, "jinja2", "2.10", "GHSA-h5c8-rqwp-cp95", "medium", "3.1.3", "CVE-2024-22195")
    assert row_with(text, "reqeusts", "1.0", "MAL-2024-1234", "malicious", "none")
    assert row_with(text, "urllib3", "1.26.0", "PYSEC-2023-999", "unknown", "none")
    assert row_with(text, "werkzeug", "2.0.0", "GHSA-xg9f-g7g7-2323", "critical", "2.2.3", "CVE-2023-25577")
    assert text.index("MAL-2024-1234") < text.index("PYSEC-2019-217") < text.index("GHSA-h5c8-rqwp-cp95")


def test_it_tabulates_runtimes_oldest_first(sample: Assessment) -> None:
    text = TableFormat().render(sample)
    assert row_with(text, "Python", "Status", "End of life", "Days left", "Declared by")
    assert row_with(text, "3.8", "end-of-life", "2024-10-07", "-776", "pyproject.toml:6")
    assert row_with(text, "3.12", "bugfix", "2028-10-01 (approx.)", "679", ".python-version:1")
    assert text.index("│ 3.8 ") < text.index("│ 3.12 ")


def test_it_tabulates_unpinned_unresolvable_and_other_findings(sample: Assessment) -> None:
    text = TableFormat().render(sample)
    assert row_with(text, "requests", ">=2", "requirements.txt:4")
    assert row_with(text, "shared", "editable", "./libs/shared", "requirements.txt:10")
    assert row_with(
        text,
        "expired-ignore",
        "low",
        "ignore of GHSA-h5c8-rqwp-cp95 expired on 2026-10-01",
        "steward.toml:12",
    )
    assert row_with(text, "python2", "medium")
    assert "1 finding ignored by configuration" in text
    assert "warning: requirements.txt:11: unknown option --trusted-host ignored" in text


def test_it_ends_with_a_summary_line(sample: Assessment) -> None:
    text = TableFormat(width=200).render(sample)
    last = text.rstrip().splitlines()[-1]
    assert last == (
        "2 projects, 10 dependencies: 13 findings (1 malicious, 1 critical, 3 high, 3 medium, 2 low, "
        "1 unknown, 2 info); 5 failing at --fail-on vulnerability; 1 ignored; highest risk 100 (F) in ."
    )


def test_it_says_none_fail_below_the_threshold(tmp_path: Path) -> None:
    text = TableFormat(width=200).render(sample_assessment(tmp_path, fail_on=FailOn.NEVER))
    assert "none failing at --fail-on never" in text


def test_it_writes_plain_text_without_colour_and_ansi_with_it(sample: Assessment) -> None:
    plain = TableFormat().render(sample)
    coloured = TableFormat(color=True).render(sample)
    assert not ANSI.search(plain)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == plain


def test_it_fits_the_width(sample: Assessment) -> None:
    for width in (60, 100):
        lines = TableFormat(width=width).render(sample).splitlines()
        assert max(len(line) for line in lines) <= width
    # Narrow terminals fold cells instead of cropping them; at 80 columns ids stay whole.
    narrow = TableFormat(width=60).render(sample)
    assert "critical" in narrow
    assert "werkzeu" in narrow
    assert row_with(
        TableFormat(width=80).render(sample), "jinja2", "2.10", "GHSA-h5c8-rqwp-cp95", "medium", "3.1.3"
    )


def test_it_shows_markup_in_data_literally(sample: Assessment) -> None:
    odd = Python2Finding(
        rule="steward/python2",
        severity=Severity.MEDIUM,
        title="[bold]not bold[/bold] [/]",
        locations=(Location(sample.root / "odd.py", 1),),
        evidence="x",
    )
    project = dataclasses.replace(sample.projects[1], findings=(odd,))
    text = TableFormat(color=True).render(dataclasses.replace(sample, projects=(project,)))
    assert "[bold]not bold[/bold] [/]" in ANSI.sub("", text)


def test_it_renders_a_clean_assessment(clean: Assessment) -> None:
    text = TableFormat().render(clean)
    assert (
        text == ".: 1 dependency from requirements.txt; targets 3.12 on linux; risk 0 (A)\n\n"
        "1 project, 1 dependency: no findings\n"
    )


def test_a_vulnerability_installed_on_some_targets_only_says_where(sample: Assessment) -> None:
    project = sample.projects[0]
    first = next(f for f in project.findings if isinstance(f, VulnerabilityFinding))
    limited = replace(first, all_targets=False, applies_to=(Target("3.12", Platform.WINDOWS),))
    changed = replace(
        sample,
        projects=(replace(project, findings=(limited,)), *sample.projects[1:]),
    )
    assert "only on 3.12 on windows" in TableFormat(width=160).render(changed)
    assert f"{first.package} (only on 3.12 on windows)" in MarkdownFormat().render(changed)
    assert "Installed only on 3.12 on windows." in SarifFormat().render(changed)
    assert '"applies_to": [\n' in JsonFormat().render(changed)
    assert '"3.12/windows"' in JsonFormat().render(changed)


def test_it_tabulates_licenses_health_and_static_analysis(sample: Assessment) -> None:
    text = TableFormat(width=200).render(sample)
    assert "\nLicenses\n" in text
    assert row_with(
        text,
        "reqeusts",
        "1.0",
        "GPL-3.0-only",
        "strong-copyleft",
        "incompatible",
        "medium",
        "requirements.txt:7",
    )
    assert "\nMaintenance health\n" in text
    assert row_with(
        text, "py", "1.11.0", "stale", "low", "last release 1.11.0 on 2021-11-04 (1,844 days ago)"
    )
    assert "\nStatic analysis\n" in text
    assert row_with(
        text,
        "services/api/app.py:14",
        "B602",
        "high",
        "high",
        "subprocess call with shell=True identified, security issue.",
    )
    # Not repeated under "Runtime and other findings".
    assert not row_with(text, "sast", "high")
    assert not row_with(text, "license", "medium")


def test_missing_license_version_and_detail_are_said_plainly(sample: Assessment) -> None:
    web = sample.projects[0]
    changed_findings = tuple(
        replace(f, version=None, license="")
        if isinstance(f, LicenseFinding)
        else replace(f, version=None, detail="")
        for f in web.findings
        if isinstance(f, LicenseFinding | HealthFinding)
    )
    text = TableFormat(width=200).render(replace(sample, projects=(replace(web, findings=changed_findings),)))
    assert row_with(text, "reqeusts", "", "none found")
    assert row_with(text, "py", "", "stale", "low", "py has had no release for 60 months")


def test_each_project_heading_and_the_summary_give_the_risk(sample: Assessment) -> None:
    text = TableFormat(width=200).render(sample)
    assert "targets 3.8, 3.12 on linux; risk 100 (F)" in text
    assert "targets 3.12 on linux, windows; risk 46 (D)" in text
    alone = TableFormat(width=200).render(replace(sample, projects=sample.projects[1:]))
    assert alone.rstrip().endswith("; risk 46 (D)")
    coloured = TableFormat(width=200, color=True).render(sample)
    assert "\x1b[1;31mrisk 100 (F)" in coloured
    assert "33mrisk 46 (D)\x1b[0m" in coloured
