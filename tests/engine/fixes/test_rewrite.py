"""Rewriting pins in requirements files: only the changed requirement changes, hashes go with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.fixes import (
    Action,
    FileAction,
    FileRewrite,
    FixPlan,
    PinEdit,
    Upgrade,
    apply_rewrites,
    plan_rewrites,
    rewrite_text,
)
from pysteward.engine.model import Location
from pysteward.errors import InputError

ALPHA = NormalizedName("alpha")


def edit(line: int, current: str = "1.1.0", target: str = "1.2.0", name: str = "alpha") -> PinEdit:
    return PinEdit(line, NormalizedName(name), Version(current), Version(target))


def rewritten(text: str, *edits: PinEdit) -> str:
    after, _, missed = rewrite_text(text, edits)
    assert missed == ()
    return after


def test_it_changes_only_the_version_keeping_comments_markers_extras_and_order() -> None:
    text = (
        "# production pins\n"
        "--index-url https://index.invalid/simple\n"
        "zeta==3.0\n"
        'Alpha[fast, extra] == 1.1.0 ; python_version >= "3.8"  # keep me\n'
        "\n"
        "beta==1.4\n"
    )
    expected = text.replace("== 1.1.0 ;", "== 1.2.0 ;")
    assert rewritten(text, edit(4)) == expected


def test_it_keeps_crlf_line_endings_and_a_missing_final_newline() -> None:
    assert rewritten("x==1\r\nalpha==1.1.0\r\ny==2", edit(2)) == "x==1\r\nalpha==1.2.0\r\ny==2"


def test_it_rewrites_arbitrary_equality_and_leaves_a_quoted_marker_version_alone() -> None:
    text = "alpha===1.1.0; python_full_version == '1.1.0'\n"
    assert rewritten(text, edit(1)) == "alpha===1.2.0; python_full_version == '1.1.0'\n"


def test_it_drops_only_the_changed_requirements_hashes_and_says_so() -> None:
    text = "alpha==1.1.0 --hash=sha256:aaa --hash sha256:bbb\nbeta==1.4 --hash=sha256:ccc\n"
    after, dropped, _ = rewrite_text(text, [edit(1)])
    assert after == "alpha==1.2.0\nbeta==1.4 --hash=sha256:ccc\n"
    assert dropped == (ALPHA,)


def test_it_rewrites_a_continued_requirement_and_ends_it_where_the_hashes_were() -> None:
    text = (
        "alpha==1.1.0 \\\n"
        "    --hash=sha256:aaa \\\n"
        "    --hash=sha256:bbb\n"
        "    # via -r requirements.in\n"
        "beta==1.4 \\\n"
        "    --hash=sha256:ccc\n"
    )
    expected = "alpha==1.2.0\n    # via -r requirements.in\nbeta==1.4 \\\n    --hash=sha256:ccc\n"
    assert rewritten(text, edit(1)) == expected


def test_it_keeps_a_comment_that_followed_the_last_hash() -> None:
    text = "alpha==1.1.0 \\\n    --hash=sha256:aaa  # pinned for a reason\nbeta==1.4\n"
    assert rewritten(text, edit(1)) == "alpha==1.2.0\n # pinned for a reason\nbeta==1.4\n"


def test_it_keeps_other_options_of_a_continued_requirement() -> None:
    text = "alpha \\\n  ==1.1.0 \\\n  --config-settings=k=v \\\n  --hash=sha256:aaa\nbeta==1.4\n"
    assert rewritten(text, edit(1)) == "alpha \\\n  ==1.2.0 \\\n  --config-settings=k=v\nbeta==1.4\n"


def test_several_edits_in_one_file_each_apply_at_their_own_line() -> None:
    text = "alpha==1.1.0 \\\n    --hash=sha256:aaa\nbeta==1.4 \\\n    --hash=sha256:bbb\n"
    after, dropped, _ = rewrite_text(text, [edit(1), edit(3, "1.4", "1.6", "beta")])
    assert after == "alpha==1.2.0\nbeta==1.6\n"
    assert dropped == (ALPHA, NormalizedName("beta"))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("beta==1.1.0\n", 1),  # another package on that line
        ("alpha>=1.0\n", 1),  # not pinned here (a constraints file pins it)
        ("alpha==1.0.9\n", 1),  # pinned to another version
        ("alpha===1.1.0-custom\n", 1),  # not a PEP 440 version
        ("-r base.txt\n", 1),  # an option line
        ("alpha==1.1.0\n", 5),  # past the end of the file
    ],
)
def test_it_reports_an_edit_it_cannot_apply_and_changes_nothing(text: str, line: int) -> None:
    after, dropped, missed = rewrite_text(text, [edit(line)])
    assert (after, dropped, missed) == (text, (), (edit(line),))


def upgrade(path: Path, line: int, action: Action = Action.REWRITE) -> Upgrade:
    location = Location(path, line)
    return Upgrade(
        name=ALPHA,
        display_name="alpha",
        current=Version("1.1.0"),
        target=Version("1.2.0"),
        clears=("PYSEC-2099-101",),
        crosses_major=False,
        locations=(location,),
        files=(FileAction(location=location, kind="requirements", action=action),),
    )


def test_plan_rewrites_reads_each_file_once_and_keeps_a_byte_order_mark(tmp_path: Path) -> None:
    base = tmp_path / "base.txt"
    base.write_text("\ufeffalpha==1.1.0\n", encoding="utf-8")
    lock = tmp_path / "uv.lock"
    plan = FixPlan(upgrades=(upgrade(base, 1), upgrade(base, 1), upgrade(lock, 3, Action.COMMAND)))
    [rewrite] = plan_rewrites(plan)
    assert (rewrite.path, rewrite.after, rewrite.generated) == (base, "\ufeffalpha==1.2.0\n", False)
    assert rewrite.changed
    assert apply_rewrites([rewrite]) == (base,)
    assert base.read_bytes() == "\ufeffalpha==1.2.0\n".encode()


def test_plan_rewrites_notices_a_file_generated_by_pip_compile(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("#\n# This file is autogenerated by pip-compile with Python 3.12\n#\nalpha==1.1.0\n")
    [rewrite] = plan_rewrites(FixPlan(upgrades=(upgrade(path, 4),)))
    assert rewrite.generated


def test_a_rewrite_that_changes_nothing_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("alpha>=1\n")
    [rewrite] = plan_rewrites(FixPlan(upgrades=(upgrade(path, 1),)))
    assert not rewrite.changed
    assert rewrite.missed == (PinEdit(1, ALPHA, Version("1.1.0"), Version("1.2.0")),)
    assert apply_rewrites([rewrite]) == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read: No such file or directory"), (b"alpha==1.1.0 \xff\n", "not valid UTF-8")],
)
def test_plan_rewrites_refuses_a_file_it_cannot_read(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "requirements.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        plan_rewrites(FixPlan(upgrades=(upgrade(path, 1),)))
    assert str(caught.value) == f"{path}: {message}"


def test_apply_rewrites_reports_a_file_it_cannot_write(tmp_path: Path) -> None:
    rewrite = FileRewrite(path=tmp_path, before="a\n", after="b\n")
    with pytest.raises(InputError, match="cannot write: Is a directory"):
        apply_rewrites([rewrite])


def test_the_diff_is_unified_and_marks_a_missing_final_newline() -> None:
    rewrite = FileRewrite(path=Path("r.txt"), before="x==1\nalpha==1.1.0", after="x==1\nalpha==1.2.0")
    assert rewrite.diff("req/r.txt") == (
        "--- a/req/r.txt\n+++ b/req/r.txt\n@@ -1,2 +1,2 @@\n x==1\n-alpha==1.1.0\n"
        "\\ No newline at end of file\n+alpha==1.2.0\n\\ No newline at end of file\n"
    )
