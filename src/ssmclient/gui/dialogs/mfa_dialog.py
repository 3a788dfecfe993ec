"""`MFA code`: six digits for the partner's MFA device, asked when hop 1 needs them."""

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from ssmclient.gui.host_text import plain_label


class MfaDialog(QDialog):
    def __init__(self, serial: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("MFA code")
        layout = QFormLayout(self)
        explanation = plain_label(
            f"Enter the 6-digit code your MFA device shows for\n{serial}", wrap=True
        )
        explanation.setAccessibleName("MFA device")
        explanation.setAccessibleDescription(explanation.text())
        layout.addRow(explanation)
        self.code = QLineEdit()
        self.code.setAccessibleName("MFA code")
        self.code.setPlaceholderText("123456")
        self.code.setMaxLength(6)
        self.code.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"\d{0,6}"), self.code)
        )
        layout.addRow("MFA code:", self.code)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("OK")
        self.ok.setAccessibleName("OK")
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText("Cancel")
        cancel.setAccessibleName("Cancel")
        self.ok.setEnabled(False)
        self.code.textChanged.connect(lambda text: self.ok.setEnabled(len(text) == 6))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addRow(buttons)
        self.code.setFocus()

    def value(self) -> str:
        return self.code.text()
