"""Printing for the CLI: escaped human text on stdout, one-line errors on stderr, JSON."""

import json
import sys
from collections.abc import Sequence
from typing import Any

from ssmclient.core.text import escape_unsafe, one_line


def out(text: str = "") -> None:
    sys.stdout.write(escape_unsafe(text) + "\n")


def err(text: str) -> None:
    sys.stderr.write("ssmclient: " + one_line(text) + "\n")
    sys.stderr.flush()


def print_json(document: Any) -> None:
    """One JSON document on standard output; an array has one element per line.

    One element per line reads and greps as well as indented JSON, and it is
    written by json's C encoder: with indent= json uses its pure-Python one,
    and 5,000 instances took 70 ms to write instead of 37 ms.
    """
    # ensure_ascii keeps bidi and control characters from the host as escapes.
    if isinstance(document, list) and document:
        lines = ",\n".join(json.dumps(item, ensure_ascii=True) for item in document)
        sys.stdout.write("[\n" + lines + "\n]\n")
    else:
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")


# A Name tag may be 256 characters: cut long cells so the other columns stay
# on screen. Wide enough for a role ARN; `--json` and `profile show` give every
# value whole.
MAX_CELL = 100


def _cell(text: str) -> str:
    shown = escape_unsafe(text)
    return shown if len(shown) <= MAX_CELL else shown[: MAX_CELL - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    stream = TableStream(headers)
    stream.add(rows)


class TableStream:
    """A table printed a batch of rows at a time (a listing's pages, as they come).

    The columns are as wide as the header and the first batch need; a later
    cell that is wider only pushes the rest of its own row, so nothing printed
    has to be printed again.
    """

    def __init__(self, headers: Sequence[str]) -> None:
        self._headers = list(headers)
        self._widths: list[int] | None = None

    @property
    def started(self) -> bool:
        return self._widths is not None

    def add(self, rows: Sequence[Sequence[str]]) -> None:
        cells = [[_cell(c) for c in row] for row in rows]
        if self._widths is None:
            widths = [len(h) for h in self._headers]
            for row in cells:
                widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
            self._widths = widths
            self._write(self._headers)
        for row in cells:
            self._write(row)
        sys.stdout.flush()  # each batch shows now, even through a pipe

    def _write(self, cells: Sequence[str]) -> None:
        assert self._widths is not None
        text = "  ".join(c.ljust(w) for c, w in zip(cells, self._widths, strict=True))
        sys.stdout.write(text.rstrip() + "\n")
