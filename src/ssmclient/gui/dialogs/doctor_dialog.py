"""Doctor: each step from the partner's credentials to a session, with a tick or a cross."""

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QGridLayout, QVBoxLayout, QWidget

from ssmclient.gui.dialogs.buttons import close_only
from ssmclient.gui.host_text import plain_label, shown

if TYPE_CHECKING:  # the doctor module imports botocore; the window loads it only when used
    from ssmclient.core.doctor import Check


class DoctorDialog(QDialog):
    def __init__(self, profile_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Doctor")
        self.setMinimumWidth(820)
        layout = QVBoxLayout(self)
        self.heading = plain_label(f"Checking {shown(profile_name, 120)}…", wrap=True)
        self.heading.setAccessibleName("Doctor status")
        self.heading.setAccessibleDescription(self.heading.text())
        layout.addWidget(self.heading)
        self.grid = QGridLayout()
        self.grid.setColumnStretch(2, 1)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addWidget(close_only(self))
        self.checks: list[Check] = []

    def show_checks(self, checks: list["Check"]) -> None:
        self.checks = checks
        failed = sum(not c.ok for c in checks)
        text = "Every check passed." if not failed else f"{failed} check(s) failed."
        self.heading.setText(text)
        self.heading.setAccessibleDescription(text)
        for row, check in enumerate(checks):
            mark = plain_label("✓" if check.ok else "✗")
            mark.setAccessibleName("passed" if check.ok else "failed")
            mark.setStyleSheet("color: #2e9d4f;" if check.ok else "color: #c0392b;")
            name = plain_label(check.check)
            detail = plain_label(check.detail, wrap=True)
            detail.setAccessibleName(check.check)
            detail.setAccessibleDescription(f"{'passed' if check.ok else 'failed'}: {check.detail}")
            self.grid.addWidget(mark, row, 0)
            self.grid.addWidget(name, row, 1)
            self.grid.addWidget(detail, row, 2)
        self.adjustSize()  # the rows' wrapped details need their height

    def show_failure(self, message: str) -> None:
        self.heading.setText(message)
        self.heading.setAccessibleDescription(message)
