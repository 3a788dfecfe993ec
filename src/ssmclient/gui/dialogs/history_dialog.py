"""Session history: the sessions opened from this computer (never a token or credential)."""

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ssmclient.core.sessions.history import HistoryEntry
from ssmclient.gui.dialogs.buttons import close_only
from ssmclient.gui.host_text import plain_label, shown

COLUMNS = ["Time", "Profile", "Instance", "Document", "Session", "Reason", "Outcome"]


class HistoryDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Session history")
        self.resize(1160, 440)
        layout = QVBoxLayout(self)
        self.summary = plain_label("Reading the session history…")
        self.summary.setAccessibleName("History status")
        self.summary.setAccessibleDescription(self.summary.text())
        layout.addWidget(self.summary)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.table = QTableView()
        self.table.setAccessibleName("Sessions")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        layout.addWidget(close_only(self))

    def show_entries(self, entries: list[HistoryEntry], unreadable: int) -> None:
        for entry in reversed(entries):  # newest first
            instance = entry.instance_id + (
                f" ({shown(entry.instance_name, 60)})" if entry.instance_name else ""
            )
            cells = [
                entry.time,
                shown(entry.profile, 80),
                instance,
                entry.document,
                entry.session_id or "-",
                shown(entry.reason, 80),
                shown(entry.outcome, 200),
            ]
            items = []
            for cell in cells:
                item = QStandardItem(cell)
                item.setEditable(False)
                items.append(item)
            self.model.appendRow(items)
        text = f"{len(entries)} session(s)" if entries else "No sessions yet."
        if unreadable:
            text += f"; {unreadable} unreadable line(s) of the history were skipped"
        self.summary.setText(text)
        self.summary.setAccessibleDescription(text)
        self.table.resizeColumnsToContents()

    def show_failure(self, message: str) -> None:
        self.summary.setText(message)
        self.summary.setAccessibleDescription(message)
