"""Untrusted text shown on one line: every invisible or reordering character is a visible escape."""

import pytest

from ssmclient.core.text import escape_unsafe, one_line, quoted


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("web-1", "web-1"),
        ("a\x1b]0;owned\x07b", "a\\x1b]0;owned\\x07b"),  # OSC title and BEL
        ("abc\u202edcba", "abc\\u202edcba"),  # bidi override
        # A tag character (U+E0041) is above U+FFFF: eight hex digits, so it
        # cannot be read as U+E004 followed by "1".
        ("x\U000e0041", "x\\U000e0041"),
        ("caf\u0065\u0301", "caf\u0065\u0301"),  # e + combining acute: a real name
        ("\u0301start", "\\u0301start"),  # a mark with nothing to sit on
    ],
)
def test_escape_unsafe(text: str, shown: str) -> None:
    assert escape_unsafe(text) == shown


def test_a_pile_of_combining_marks_is_escaped_beyond_a_few() -> None:
    zalgo = "a" + "\u0336" * 40
    shown = escape_unsafe(zalgo)
    assert shown.startswith("a\u0336\u0336\u0336\\u0336")
    assert shown.count("\u0336") == 3


def test_one_line_and_quoted_stay_short() -> None:
    assert len(one_line("x" * 100_000)) == 400
    assert quoted("y" * 1000, 20) == "'" + "y" * 19 + "…'"
