"""The button rows of the dialogs: named for screen readers, wired to accept/reject."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton


def accept_cancel(dialog: QDialog, accept_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    """`accept_text` (the default button, Enter) and Cancel (Esc); returns the row and the first."""
    buttons = QDialogButtonBox()
    accept = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
    accept.setAccessibleName(accept_text)
    accept.setDefault(True)
    cancel = buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
    cancel.setAccessibleName("Cancel")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons, accept


def close_only(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox()
    close = buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
    close.setAccessibleName("Close")
    buttons.rejected.connect(dialog.reject)
    return buttons
