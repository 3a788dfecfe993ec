"""Showing host-written text (instance names, tags, host name, contact) inertly.

Every such value goes through `shown()` before it reaches a widget: control,
bidi and invisible characters become visible escapes (core.text), and very
long values are cut. Widgets that show it are plain-text only (`plain_label`),
so a name like `<img src=...>` or `<b>` is shown as typed, never interpreted.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ssmclient.core.text import escape_unsafe

MAX_CELL = 120  # a Name tag may be 256 characters; a table cell shows this much


def shown(value: str | None, limit: int = MAX_CELL, missing: str = "") -> str:
    if value is None:
        return missing
    safe = escape_unsafe(value)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = False) -> QLabel:
    """A label that never interprets rich text, with its text selectable for copying."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def set_named_text(label: QLabel, text: str) -> None:
    """Text of a label that has an accessible name: also its accessible description.

    Qt exposes a named QLabel's text to screen readers only through the
    description (gui.md), so the two are always set together.
    """
    label.setText(text)
    label.setAccessibleDescription(text)
