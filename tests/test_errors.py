"""The exception hierarchy every command turns into messages and exit codes."""

from __future__ import annotations

from pysteward.errors import InputError, InputErrors, OperationalError


def test_it_prefixes_messages_with_path_and_line() -> None:
    assert str(InputError("bad", path="r.txt", line=3)) == "r.txt:3: bad"
    assert str(InputError("bad", path="r.txt")) == "r.txt: bad"
    assert str(InputError("bad")) == "bad"


def test_it_flattens_nested_groups_in_order() -> None:
    first, second, third = (InputError(str(n), path="f", line=n) for n in (1, 2, 3))
    group = InputErrors("outer", [first, InputErrors("inner", [second, third])])  # type: ignore[list-item]
    assert group.leaves() == [first, second, third]


def test_it_gives_each_kind_its_exit_code() -> None:
    assert InputError("x").exit_code == 2
    assert InputErrors("x", [InputError("y")]).exit_code == 2
    assert OperationalError("x", hint="run it").exit_code == 3
    assert OperationalError("x", hint="run it").hint == "run it"
