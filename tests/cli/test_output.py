"""The CLI's table: host-written cells are escaped and cut, so one long Name tag cannot widen it."""

import pytest

from ssmclient.cli.output import MAX_CELL, TableStream, table


def test_a_long_cell_is_cut_with_an_ellipsis(capsys: pytest.CaptureFixture[str]) -> None:
    table(["Name", "Instance ID"], [["n" * 256, "i-0123456789abcdef0"], ["web", "i-1"]])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "n" * (MAX_CELL - 1) + "…  i-0123456789abcdef0"
    assert lines[2].startswith("web" + " " * (MAX_CELL - 3) + "  i-1")


def test_escapes_count_towards_the_width(capsys: pytest.CaptureFixture[str]) -> None:
    table(["Name"], [["\x1b" * 100]])
    row = capsys.readouterr().out.splitlines()[1]
    assert len(row) == MAX_CELL
    assert "\x1b" not in row


def test_a_streamed_table_keeps_the_first_batchs_widths(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = TableStream(["NAME", "ID"])
    assert not stream.started
    stream.add([["web", "i-1"]])
    assert stream.started
    assert capsys.readouterr().out.splitlines() == ["NAME  ID", "web   i-1"]
    stream.add([["database", "i-2"], ["db", "i-3"]])  # wider: only its own row moves
    assert capsys.readouterr().out.splitlines() == ["database  i-2", "db    i-3"]
