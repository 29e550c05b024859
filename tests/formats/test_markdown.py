"""`--format markdown`: a pull-request comment that renders, escapes cells and fits GitHub's limit."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from pysteward.engine.assessment import Assessment, FailOn
from pysteward.engine.findings import HealthFinding, LicenseFinding, Python2Finding, SastFinding
from pysteward.engine.model import Location, Severity
from pysteward.formats import MarkdownFormat
from pysteward.formats.markdown import MAX_CHARS, escape
from tests.formats.conftest import huge_assessment, sample_assessment


def render(assessment: Assessment) -> str:
    return MarkdownFormat().render(assessment)


def table_rows(text: str) -> list[list[str]]:
    """Every table row as a CommonMark parser with GitHub's table extension sees it: lists of cell texts."""
    rows: list[list[str]] = []
    in_cell = False
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "tr_open":
            rows.append([])
        in_cell = token.type in {"th_open", "td_open"} or (in_cell and token.type == "inline")
        if token.type == "inline" and in_cell:
            rows[-1].append(token.content)
    return rows


def test_it_opens_with_a_failing_headline(sample: Assessment) -> None:
    text = render(sample)
    assert text.startswith("## Steward assessment\n")
    assert "❌ **13 findings, 5 failing** at `--fail-on vulnerability`." in text
    assert "17,423 records, newest 2026-11-20" in text


def test_it_says_when_findings_do_not_fail(tmp_path: Path) -> None:
    text = render(sample_assessment(tmp_path, fail_on=FailOn.NEVER))
    assert "⚠️ **13 findings, none failing** at `--fail-on never`." in text


def test_it_tabulates_vulnerabilities_with_osv_links(sample: Assessment) -> None:
    text = render(sample)
    assert "### Vulnerabilities (5)" in text
    assert (
        "| jinja2 | 2.10 | [PYSEC-2019-217](https://osv.dev/vulnerability/PYSEC-2019-217) | high | 2.10.1 "
        "| requirements.txt:3 |"
    ) in text
    assert (
        "| werkzeug | 2.0.0 | [GHSA-xg9f-g7g7-2323](https://osv.dev/vulnerability/GHSA-xg9f-g7g7-2323) |"
        in text
    )
    assert "| **malicious** | none | requirements.txt:7 |" in text
    assert (
        "| urllib3 | 1.26.0 | [PYSEC-2023-999](https://osv.dev/vulnerability/PYSEC-2023-999) "
        "| unknown | none |" in text
    )
    # Worst first: the malicious package heads the table.
    assert text.index("MAL-2024-1234") < text.index("GHSA-xg9f-g7g7-2323") < text.index("PYSEC-2023-999")


def test_every_table_row_has_as_many_cells_as_its_header(sample: Assessment) -> None:
    rows = table_rows(render(sample))
    assert ["Package", "Version", "ID", "Severity", "Fix", "Where"] in rows
    assert len(rows) > 10
    widths = {len(row) for row in rows}
    assert widths <= {3, 4, 5, 6, 7}


def test_it_shows_runtimes_and_flags_end_of_life(sample: Assessment) -> None:
    text = render(sample)
    assert "### Python runtimes" in text
    assert "| . | 3.8 | ⚠️ **end-of-life** | 2024-10-07 | -776 | pyproject.toml:6 |" in text
    assert (
        "| services/api | 3.12 | bugfix | 2028-10-01 (approx.) | 679 | services/api/pyproject.toml:3 |"
        in text
    )
    assert "- **high**: Python 3.8 reached end of life on 2024-10-07 (pyproject.toml:6)" in text


def test_it_folds_unpinned_and_unresolvable_dependencies(sample: Assessment) -> None:
    text = render(sample)
    assert (
        "<details>\n<summary>Unpinned dependencies (1)</summary>\n\n| Package | Requirement | Where |" in text
    )
    assert "| requests | &gt;=2 | requirements.txt:4 |" in text
    assert "<summary>Unresolvable dependencies (1)</summary>" in text
    assert "| shared | editable | ./libs/shared | requirements.txt:10 |" in text


def test_it_notes_ignored_findings_and_expired_ignores(sample: Assessment) -> None:
    text = render(sample)
    assert "### Expired ignores (1)" in text
    assert "The ignore of `GHSA-h5c8-rqwp-cp95` expired on 2026-10-01 (waiting for upstream)" in text
    assert "<summary>Ignored findings (1)</summary>" in text
    assert (
        "| PYSEC-2022-42969 | py 1.11.0: PYSEC-2022-42969 | not reachable: we never parse SVN | 2027-01-01 |"
        in text
    )
    assert "<summary>Warnings (2)</summary>" in text


def test_it_escapes_pipes_and_markup_in_cells(sample: Assessment) -> None:
    nasty = Python2Finding(
        rule="steward/python2",
        severity=Severity.MEDIUM,
        title="a | b <script>alert(1)</script> *bold* [link](x)",
        locations=(Location(sample.root / "x|y.py", 2),),
        evidence="print",
    )
    project = dataclasses.replace(sample.projects[1], findings=(nasty,))
    text = render(dataclasses.replace(sample, projects=(sample.projects[0], project)))
    assert "<script>" not in text
    assert r"a \| b &lt;script&gt;alert(1)&lt;/script&gt; \*bold\* \[link\](x) (x\|y.py:2)" in text
    assert all(len(row) in {3, 4, 5, 6, 7} for row in table_rows(text))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain 1.2.3", "plain 1.2.3"),
        ("a|b", r"a\|b"),
        ("two\nlines", "two lines"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("`code` _em_", r"\`code\` \_em\_"),
        ("x" * 500, "x" * 159 + "…"),
    ],
)
def test_it_escapes_cell_text(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_it_stays_under_the_comment_limit_with_a_huge_assessment(tmp_path: Path) -> None:
    text = render(huge_assessment(tmp_path, 3000))
    assert len(text) <= MAX_CHARS
    assert "❌ **6000 findings, 3000 failing**" in text
    assert "### Vulnerabilities (3000)" in text
    assert "<summary>Unpinned dependencies (3000)</summary>" in text
    shown = text.count("](https://osv.dev/vulnerability/PYSEC-2026-")
    assert 0 < shown < 3000
    assert f"… and {3000 - shown} more" in text
    assert text.rstrip().endswith("</details>")


def test_it_cuts_prose_it_cannot_shorten(tmp_path: Path) -> None:
    text = MarkdownFormat(max_chars=300).render(sample_assessment(tmp_path))
    assert len(text) <= 300
    assert text.endswith("… report truncated\n")


def test_it_renders_a_clean_assessment(clean: Assessment) -> None:
    text = render(clean)
    assert "✅ **No findings** in 1 dependency." in text
    assert "No advisory database: vulnerabilities were not checked." in text
    assert "###" not in text
    assert "<details>" not in text


def test_a_finding_without_a_location_names_no_place(sample: Assessment) -> None:
    project = sample.projects[0]
    unplaced = [
        dataclasses.replace(f, locations=()) if f.kind == "expired-ignore" else f for f in project.findings
    ]
    changed = dataclasses.replace(
        sample, projects=(dataclasses.replace(project, findings=tuple(unplaced)), *sample.projects[1:])
    )
    line = next(line for line in render(changed).splitlines() if "GHSA-h5c8-rqwp-cp95` expired" in line)
    assert line.endswith("it is reported again. ")


def test_it_opens_with_the_risk_of_each_project(sample: Assessment) -> None:
    text = render(sample)
    assert "### Risk score" in text
    rows = table_rows(text)
    assert ["Project", "Risk (0–100)", "Grade", "Made of"] in rows
    assert [
        ".",
        "100",
        "**F**",
        "malicious 86.5, vulnerabilities 6.9, runtime 5.2, licenses 0.9, health 0.2, hygiene 0.3",
    ] in rows
    assert ["services/api", "46", "**D**", "vulnerabilities 29.9, runtime 7.2, sast 9"] in rows
    assert text.index("### Risk score") < text.index("### Vulnerabilities")


def test_it_folds_licenses_health_and_static_analysis(sample: Assessment) -> None:
    text = render(sample)
    rows = table_rows(text)
    assert "<details>\n<summary>Licenses (1)</summary>\n\n| Package | Version | License |" in text
    assert [
        "reqeusts",
        "1.0",
        "GPL-3.0-only",
        "strong-copyleft",
        "incompatible",
        "medium",
        "requirements.txt:7",
    ] in rows
    assert "<summary>Maintenance health (1)</summary>" in text
    assert [
        "py",
        "1.11.0",
        "stale",
        "low",
        "last release 1.11.0 on 2021-11-04 (1,844 days ago)",
        "requirements.txt:8",
    ] in rows
    assert "<summary>Static analysis (1)</summary>" in text
    assert "| high | high | `B602` | subprocess call with shell=True identified, security issue. |" in text
    # They have sections of their own, so "Other findings" keeps only runtime and Python 2.
    others = text.split("### Other findings")[1].split("<details>")[0]
    assert "GPL" not in others
    assert "B602" not in others


def test_license_and_health_cells_say_what_is_missing(sample: Assessment) -> None:
    web = sample.projects[0]
    unknown = next(f for f in web.findings if isinstance(f, LicenseFinding))
    stale = next(f for f in web.findings if isinstance(f, HealthFinding))
    changed = dataclasses.replace(
        sample,
        projects=(
            dataclasses.replace(
                web,
                findings=(
                    dataclasses.replace(unknown, license="", version=None, license_class="unknown"),
                    dataclasses.replace(stale, detail="", version=None),
                ),
            ),
        ),
    )
    rows = table_rows(render(changed))
    assert ["reqeusts", "", "none found", "unknown", "incompatible", "medium", "requirements.txt:7"] in rows
    assert ["py", "", "stale", "low", "py has had no release for 60 months", "requirements.txt:8"] in rows


def test_it_stays_under_the_limit_with_thousands_of_bandit_issues(tmp_path: Path) -> None:
    huge = huge_assessment(tmp_path, 1500)
    issues = tuple(
        SastFinding(
            rule=f"B{600 + n % 10}",
            severity=Severity.MEDIUM,
            title="possible injection " * 8,
            locations=(Location(tmp_path / f"module_{n}.py", n + 1),),
            test_name="injection",
            confidence="medium",
        )
        for n in range(3000)
    )
    project = dataclasses.replace(huge.projects[0], findings=(*huge.projects[0].findings, *issues))
    text = render(dataclasses.replace(huge, projects=(project,)))
    assert len(text) <= MAX_CHARS
    assert "<summary>Static analysis (3000)</summary>" in text
    assert "… and " in text.split("<summary>Static analysis (3000)</summary>")[1]
