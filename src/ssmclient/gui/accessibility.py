"""What Qt's own accessibility bridge leaves out, for screen readers on Linux.

On Unix, Qt's QAccessibleComboBox reports a combo box's current text as its
name and ignores `accessibleName` (Qt relies on a label relation instead), so
a screen reader announces "SSH (22)" rather than "Preset". gui.md names the
combos (`AWS profile name`), so combos that were given a name get an
accessible interface that reports it, and their current text as the value.
"""

from PySide6.QtCore import QObject
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QAccessibleWidget, QComboBox


class NamedComboBoxAccessible(QAccessibleWidget):
    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo, QAccessible.Role.ComboBox)
        self._combo = combo

    def text(self, kind: QAccessible.Text) -> str:
        if kind == QAccessible.Text.Name:
            return self._combo.accessibleName()
        if kind == QAccessible.Text.Value:
            return self._combo.currentText()
        if kind == QAccessible.Text.Description:
            return self._combo.accessibleDescription() or self._combo.currentText()
        return str(super().text(kind))


def _factory(class_name: str, widget: QObject) -> QAccessibleInterface | None:
    if isinstance(widget, QComboBox) and widget.accessibleName() and not widget.isEditable():
        return NamedComboBoxAccessible(widget)
    return None


_installed = False


def install() -> None:
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True
