"""The CLI's table: host-written cells are escaped and cut, so one long Name tag cannot widen it."""

import json

import pytest

from ssmclient.cli.output import MAX_CELL, TableStream, print_json, table


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


def test_a_json_array_has_one_element_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    document = [
        {"name": "web\u202e\x1b[31m", "tags": {"k": "v"}, "ip": None},
        {"name": "db", "tags": {}, "ip": "10.0.0.1"},
    ]
    print_json(document)
    text = capsys.readouterr().out
    assert json.loads(text) == document
    lines = text.splitlines()
    assert lines[0] == "["
    assert lines[-1] == "]"
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == document
    assert text.isascii()  # bidi and control characters stay escapes


@pytest.mark.parametrize("document", [[], {"check": "hop 1", "ok": True}])
def test_other_json_documents_are_indented(
    document: object, capsys: pytest.CaptureFixture[str]
) -> None:
    print_json(document)
    text = capsys.readouterr().out
    assert json.loads(text) == document
    assert text == json.dumps(document, indent=2) + "\n"
