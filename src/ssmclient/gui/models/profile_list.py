"""The side list of party profiles, each with its sign-in state."""

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ssmclient.core.profile_model import ProfileRecord
from ssmclient.gui.host_text import shown

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
NOT_SIGNED_IN = "not signed in"

Index = QModelIndex | QPersistentModelIndex


@dataclass
class _Item:
    record: ProfileRecord
    state: str


class ProfileListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._items: list[_Item] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            # The name first: screen readers and tests find a profile by it.
            return f"{shown(item.record.name, 80)}\n{item.state}"
        if role == RECORD_ROLE:
            return item.record
        return None

    def set_records(self, records: list[ProfileRecord]) -> None:
        states = {item.record.id: item.state for item in self._items}
        self.beginResetModel()
        self._items = [
            _Item(record, _initial_state(record, states.get(record.id))) for record in records
        ]
        self.endResetModel()

    def set_state(self, profile_id: str, state: str) -> None:
        for row, item in enumerate(self._items):
            if item.record.id == profile_id and item.state != state:
                item.state = state
                index = self.index(row)
                self.dataChanged.emit(index, index)

    def record_at(self, row: int) -> ProfileRecord:
        return self._items[row].record

    def row_of(self, profile_id: str) -> int | None:
        return next((n for n, i in enumerate(self._items) if i.record.id == profile_id), None)

    def row_named(self, name: str) -> int | None:
        return next((n for n, i in enumerate(self._items) if i.record.name == name), None)

    def records(self) -> list[ProfileRecord]:
        return [item.record for item in self._items]


def _initial_state(record: ProfileRecord, previous: str | None) -> str:
    if record.profile.is_expired():
        return "profile expired"
    return previous or NOT_SIGNED_IN
