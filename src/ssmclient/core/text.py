"""Making untrusted text (from profile files, AWS, the user) safe to show on one line."""

import re
import unicodedata

# Characters that reorder or hide text (bidi controls, zero-width joiners) are
# category Cf; line and paragraph separators are Zl/Zp. None of them may reach
# a terminal or a dialog unescaped: a host-written name could otherwise spoof
# what the user reads.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


_ASCII_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")


def is_safe_char(ch: str) -> bool:
    # Unusual spaces (no-break, em, ideographic...) look like a plain space
    # and could make two different names read the same: show them escaped.
    if ch != " " and ch.isspace():
        return False
    return unicodedata.category(ch) not in _UNSAFE_CATEGORIES


def has_unsafe_chars(text: str) -> bool:
    return any(not is_safe_char(ch) for ch in text)


# Combining marks stack on the character before them: a few make real names
# ("é" decomposed, Vietnamese, Devanagari), dozens (Zalgo text) paint over the
# lines around them. Beyond this many in a row they are shown escaped.
MAX_COMBINING_RUN = 3


def _escape(code: int) -> str:
    # Eight digits above U+FFFF: "\\ue0041" would read as U+E004 then "1".
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def escape_unsafe(text: str) -> str:
    """Replace control, bidi and other invisible characters by visible escapes."""
    out = []
    run = None  # marks on the current base character; None: no base to sit on
    for ch in text:
        if not is_safe_char(ch):
            out.append(_escape(ord(ch)))
            run = None
        elif unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me"):
            if run is None or run >= MAX_COMBINING_RUN:
                out.append(_escape(ord(ch)))
            else:
                out.append(ch)
                run += 1
        else:
            out.append(ch)
            run = 0
    return "".join(out)


def one_line(text: str, limit: int = 400) -> str:
    """Collapse a message to a single printable line of at most `limit` characters."""
    flat = escape_unsafe(_ASCII_WHITESPACE.sub(" ", text).strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quoted(text: str, limit: int = 80) -> str:
    """Quote untrusted text for a message: escaped and shortened."""
    safe = escape_unsafe(text)
    if len(safe) > limit:
        safe = safe[: limit - 1] + "…"
    return "'" + safe + "'"
