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
    # ensure_ascii keeps bidi and control characters from the host as escapes.
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True) + "\n")


# A Name tag may be 256 characters: cut long cells so the other columns stay
# on screen. Wide enough for a role ARN; `--json` and `profile show` give every
# value whole.
MAX_CELL = 100


def _cell(text: str) -> str:
    shown = escape_unsafe(text)
    return shown if len(shown) <= MAX_CELL else shown[: MAX_CELL - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    cells = [[_cell(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    sys.stdout.write(line.rstrip() + "\n")
    for row in cells:
        text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        sys.stdout.write(text.rstrip() + "\n")
