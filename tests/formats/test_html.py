"""`--format html`: one self-contained, escaped, accessible page that prints cleanly."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pysteward.engine.assessment import Assessment
from pysteward.engine.findings import Finding, Python2Finding, SastFinding, UnresolvableFinding
from pysteward.engine.model import DirectReference, Location, Severity, SourceKind, normalize
from pysteward.formats import HtmlFormat
from pysteward.formats._html import bar_chart, link, table
from tests.formats.conftest import sample_assessment

SECTIONS = (
    "summary",
    "vulnerabilities",
    "runtime",
    "licenses",
    "health",
    "sast",
    "typosquats",
    "unpinned",
    "other",
    "ignored",
    "warnings",
)
EVIL = '<script>alert("x")</script>'


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of each section."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]

    @property
    def plain(self) -> str:
        return " ".join(" ".join(self.text).split())


@dataclass(frozen=True, slots=True, kw_only=True)
class FakeTyposquat(Finding):
    """Stands in for the typosquat kind another part of issue 3 adds."""

    @property
    def kind(self) -> str:
        return "typosquat"


def render(assessment: Assessment, **options: frozenset[str]) -> str:
    text = HtmlFormat(**options).render(assessment)
    assert text.startswith("<!DOCTYPE html>\n")
    assert text.endswith("</html>\n")
    return text


def with_findings(assessment: Assessment, index: int, *findings: Finding, **changes: object) -> Assessment:
    projects = list(assessment.projects)
    projects[index] = dataclasses.replace(projects[index], findings=findings, **changes)  # type: ignore[arg-type]
    return dataclasses.replace(assessment, projects=tuple(projects))


def test_it_is_self_contained_with_no_script_or_external_asset(sample: Assessment) -> None:
    text = render(sample)
    page = Page(text)
    assert not page.named("script")
    assert not page.named("link")
    assert not page.named("img")
    assert all("src" not in attrs for _, attrs in page.tags)
    assert "@import" not in text
    assert "url(" not in text
    assert len(page.named("style")) == 1
    assert page.named("svg")[0]["xmlns"] == "http://www.w3.org/2000/svg"


def test_it_has_a_section_with_a_heading_for_every_kind(sample: Assessment) -> None:
    page = Page(render(sample))
    ids = [attrs["id"] for attrs in page.named("section")]
    assert ids == list(SECTIONS)
    assert all(attrs["aria-labelledby"] == f"{attrs['id']}-h" for attrs in page.named("section"))
    assert len(page.named("h1")) == 1
    assert {attrs["id"] for attrs in page.named("h2")} == {f"{s}-h" for s in SECTIONS}
    assert all(attrs["scope"] == "col" for attrs in page.named("th"))
    assert page.named("html")[0]["lang"] == "en"


def test_the_summary_cards_give_totals_and_the_highest_risk(sample: Assessment) -> None:
    plain = Page(render(sample)).plain
    assert "Findings 13 1 malicious, 1 critical, 3 high, 3 medium, 2 low, 1 unknown, 2 info" in plain
    assert "Failing 5 at --fail-on vulnerability" in plain
    assert "Projects 2 assessed" in plain
    assert "Dependencies 10 declared or locked" in plain
    assert "Risk score F 100 highest: the root project" in plain
    assert "services/api 46 D vulnerabilities 29.9, runtime 7.2, sast 9" in plain


def test_one_project_shows_its_own_risk_out_of_100(sample: Assessment) -> None:
    api_only = dataclasses.replace(sample, projects=sample.projects[1:])
    assert "Risk score D 46 out of 100" in Page(render(api_only)).plain


def test_the_chart_draws_one_labelled_bar_per_severity(sample: Assessment) -> None:
    page = Page(render(sample))
    bars = page.named("rect")
    assert len(bars) == len(Severity)
    widths = [float(bar["width"] or 0) for bar in bars]
    # high and medium (3 each) are the longest; malicious (1) a third of them.
    assert widths[2] == widths[3] == max(widths)
    assert widths[0] == pytest.approx(widths[2] / 3, abs=0.1)
    assert "1 malicious, 1 critical, 3 high, 3 medium, 2 low, 1 unknown, 2 info" in page.plain
    assert page.named("svg")[0]["role"] == "img"


def test_an_empty_chart_draws_zero_width_bars() -> None:
    svg = bar_chart(dict.fromkeys(Severity, 0))
    assert svg.count('width="0.0"') == len(Severity)


def test_it_lists_every_kind_of_finding_with_its_details(sample: Assessment) -> None:
    plain = Page(render(sample)).plain
    assert "werkzeug 2.0.0 GHSA-xg9f-g7g7-2323 CVE-2023-25577 critical 9.8 2.2.3" in plain
    assert "3.8 end-of-life 2024-10-07 -776 high Python 3.8 reached end of life" in plain
    assert "reqeusts 1.0 GPL-3.0-only strong-copyleft incompatible medium" in plain
    assert "py 1.11.0 stale low py has had no release for 60 months last release 1.11.0" in plain
    assert "services/api/app.py:14 B602 subprocess_popen_with_shell_equals_true high high" in plain
    assert "requests >=2 requirements.txt:4" in plain
    assert "shared editable ./libs/shared requirements.txt:10" in plain
    assert "python2 medium services/api/legacy.py uses Python 2 syntax" in plain
    assert "PYSEC-2022-42969 medium py 1.11.0: PYSEC-2022-42969 not reachable" in plain
    assert "requirements.txt:11: unknown option --trusted-host ignored" in plain


def test_severity_is_written_in_words_not_only_in_colour(sample: Assessment) -> None:
    page = Page(render(sample))
    pills = [attrs["class"] for attrs in page.named("span") if (attrs["class"] or "").startswith("sev ")]
    assert "sev sev-malicious" in pills
    assert "malicious" in page.plain


def test_it_links_advisories_and_documentation_over_http_only(sample: Assessment) -> None:
    page = Page(render(sample))
    hrefs = [attrs["href"] or "" for attrs in page.named("a")]
    assert "https://osv.dev/vulnerability/MAL-2024-1234" in hrefs
    assert any(h.startswith("https://bandit.readthedocs.invalid/") for h in hrefs)
    assert all(h.startswith(("https://", "http://")) for h in hrefs)


def test_it_escapes_every_string_from_the_input(sample: Assessment) -> None:
    nasty = Python2Finding(
        rule="steward/python2",
        severity=Severity.MEDIUM,
        title=EVIL,
        locations=(Location(sample.root / "<b>.py", 2),),
        evidence=EVIL,
    )
    reference = DirectReference(
        name=normalize("evil"),
        display_name='evil"><script>',
        location=Location(sample.root / "requirements.txt", 3),
        kind=SourceKind.URL,
        url="javascript:alert(1)",
    )
    unresolvable = UnresolvableFinding(
        rule="steward/unresolvable",
        severity=Severity.INFO,
        title=EVIL,
        locations=(reference.location,),
        dependency=reference,
    )
    bandit = SastFinding(
        rule="B1<",
        severity=Severity.LOW,
        title=EVIL,
        locations=(Location(sample.root / "a.py", 1),),
        test_name=EVIL,
        confidence="low",
        code=EVIL,
        more_info="javascript:alert(2)",
    )
    changed = with_findings(sample, 1, nasty, unresolvable, bandit, warnings=(EVIL,))
    text = render(dataclasses.replace(changed, tool_version=EVIL))
    page = Page(text)
    assert "<script>" not in text
    assert not page.named("script")
    assert "javascript:" not in " ".join(attrs["href"] or "" for attrs in page.named("a"))
    assert EVIL in page.plain
    assert "<b>.py:2" in page.plain
    assert "javascript:alert(1)" in page.plain


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.invalid/a?b=1&c=2", True),
        ("HTTP://example.invalid/", True),
        ("ftp://example.invalid/", False),
        ("javascript:alert(1)", False),
        ("https:///no-host", False),
        ("http://[::1", False),
        ("./relative/path", False),
    ],
)
def test_only_absolute_http_urls_become_links(url: str, linked: bool) -> None:
    assert link(url).startswith("<a href=") is linked
    if linked:
        assert "&amp;" in link(url) or "&" not in url


def test_it_says_when_a_kind_was_not_checked_or_found_nothing(sample: Assessment) -> None:
    plain = Page(render(with_findings(sample, 0))).plain
    assert "Typosquats Not checked in this run." in plain
    assert "Licenses No license findings." in plain
    assert "Maintenance health No maintenance concerns." in plain
    assert "Vulnerabilities (1)" in plain  # the api project's critical one
    checked = Page(render(sample, not_checked=frozenset({"license", "health", "sast"}))).plain
    assert "Typosquats No likely typosquats." in checked
    empty = Page(render(with_findings(with_findings(sample, 0), 1), not_checked=frozenset({"sast"}))).plain
    assert "Static analysis Not checked in this run." in empty
    assert "Vulnerabilities No known vulnerabilities." in empty
    assert "Every dependency is pinned." in empty
    assert "No URL, VCS, path or editable requirement." in empty
    assert "Other findings" not in empty


def test_it_says_vulnerabilities_were_not_checked_without_a_database(sample: Assessment) -> None:
    bare = dataclasses.replace(with_findings(with_findings(sample, 0), 1), database=None)
    plain = Page(render(bare)).plain
    assert "Not checked: no advisory database" in plain
    assert "no advisory database: vulnerabilities were not checked" in plain
    assert "No static analysis" not in plain
    assert "No issues in the project's code." in plain


def test_it_renders_typosquats_when_the_kind_appears(sample: Assessment) -> None:
    squat = FakeTyposquat(
        rule="steward/typosquat",
        severity=Severity.HIGH,
        title="reqeusts looks like a typosquat of requests",
        locations=(Location(sample.root / "requirements.txt", 7),),
    )
    plain = Page(render(with_findings(sample, 0, squat))).plain
    assert (
        "Typosquats (1) Typosquat findings Kind Severity Finding Where typosquat high reqeusts looks like"
        in plain
    )


def test_it_renders_an_assessment_with_no_project(sample: Assessment) -> None:
    bare = dataclasses.replace(sample, projects=(), warnings=(), database=None)
    plain = Page(render(bare)).plain
    assert "No project was assessed." in plain
    assert "Risk score n/a no project" in plain
    assert "No Python version declared." in plain
    assert "No finding is ignored." in plain
    assert "Warnings" not in plain


def test_it_renders_the_database_freshness_and_an_unknown_one(sample: Assessment) -> None:
    assert "17,423 records, newest 2026-11-20" in Page(render(sample)).plain
    assert sample.database is not None
    undated = dataclasses.replace(sample, database=dataclasses.replace(sample.database, newest_modified=None))
    assert "newest unknown" in Page(render(undated)).plain


def test_the_print_stylesheet_avoids_dark_backgrounds_and_shows_links(sample: Assessment) -> None:
    text = render(sample)
    css = text[text.index("@media print") :]
    assert "background: none" in css
    assert 'a[href]:not(.osv)::after { content: " <" attr(href) ">"' in css
    assert "break-inside: avoid" in css
    assert "thead { display: table-header-group; }" in css
    assert "break-after: avoid" in css


def test_short_tables_are_kept_on_one_printed_page() -> None:
    short = table(("A",), [("1",)], caption="c")
    long = table(("A",), [(str(n),) for n in range(40)], caption="c", css_class="risk")
    assert short.startswith('<table class="keep">')
    assert long.startswith('<table class="risk">')
    assert table(("A", "B"), [("1", "2")], caption="c", numeric=(1,)).count('class="num"') == 2


def test_it_renders_the_same_text_whatever_the_input_order(tmp_path: Path) -> None:
    sample = sample_assessment(tmp_path)
    shuffled = dataclasses.replace(
        sample,
        projects=tuple(dataclasses.replace(p, findings=p.findings[::-1]) for p in reversed(sample.projects)),
    )
    assert render(shuffled) == render(sample)
