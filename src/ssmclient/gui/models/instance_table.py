"""The instance table: a QAbstractTableModel over the inventory, and its search/sort proxy.

Display strings and sort keys are computed once per row when rows arrive, so
`data()` only indexes lists: a keystroke in the search field over 10,000 rows
stays within a few milliseconds of Python per row.
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from ssmclient.core.aws.instance import Instance
from ssmclient.gui.host_text import shown

NAME, INSTANCE_ID, STATE, SSM, PRIVATE_IP, PUBLIC_IP, PLATFORM, REGION, TAG = range(9)
HEADERS = ["Name", "Instance ID", "State", "SSM", "Private IP", "Public IP", "Platform", "Region"]
INSTANCE_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_ACCESSIBLE_TEXT = Qt.ItemDataRole.AccessibleTextRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_INSTANCE = int(INSTANCE_ROLE)

_STATE_COLOURS = {
    "running": "#2e9d4f",
    "pending": "#d9a400",
    "stopping": "#d9a400",
    "stopped": "#9a9a9a",
    "shutting-down": "#c0392b",
    "terminated": "#c0392b",
}
_PING_COLOURS = {"Online": "#2e9d4f", "ConnectionLost": "#c0392b", "Inactive": "#9a9a9a"}

Index = QModelIndex | QPersistentModelIndex


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(24, 24)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(5, 5, 14, 14)
    painter.end()
    return QIcon(pixmap)


def _ping_text(status: str | None) -> str:
    # None while the listing waits for DescribeInstanceInformation (and after
    # it, when the status could not be read): shown as an ellipsis, then blank.
    return status or "…"


def _ip_key(text: str | None) -> tuple[int, int]:
    if not text:
        return (1, 0)
    try:
        return (0, int(ipaddress.ip_address(text)))
    except ValueError:
        return (1, 0)


class Row:
    """One instance with its display strings, sort keys and search text, computed once.

    Plain Python (no Qt): the listing's worker thread prepares rows
    (`prepare_rows`), so the GUI thread only inserts them.
    """

    __slots__ = ("cells", "haystack", "instance", "keys")

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.cells: list[str] = []
        self.keys: list[Any] = []
        self.haystack = ""
        self.refresh()

    def refresh(self) -> None:
        i = self.instance
        self.cells = [
            shown(i.name, missing="(no name)"),
            i.instance_id,
            i.state,
            _ping_text(i.ping_status),
            i.private_ip or "",
            i.public_ip or "",
            shown(i.platform),
            i.region,
            shown(i.tag_value),
        ]
        # "…" is replaced once the ping statuses are in (see set_ping_statuses).
        self.keys = [
            (i.name is None, (i.name or "").casefold(), i.instance_id),
            i.instance_id,
            i.state,
            i.ping_status or "~",
            _ip_key(i.private_ip),
            _ip_key(i.public_ip),
            i.platform.casefold(),
            i.region,
            i.tag_value.casefold(),
        ]
        self.haystack = "\n".join(self.cells).casefold()

    def updated(self, instance: Instance) -> "Row":
        """This row for `instance`; when only the ping status changed, without redoing the rest.

        The complete listing differs from its pages only by the ping statuses:
        re-escaping thousands of names would keep the GIL from the GUI thread.
        """
        if replace(instance, ping_status=None) != replace(self.instance, ping_status=None):
            return Row(instance)
        row = Row.__new__(Row)
        row.instance = instance
        row.cells = list(self.cells)
        row.cells[SSM] = _ping_text(instance.ping_status)
        row.keys = list(self.keys)
        row.keys[SSM] = instance.ping_status or "~"
        row.haystack = "\n".join(row.cells).casefold()
        return row


def prepare_rows(instances: Sequence[Instance]) -> list[Row]:
    return [Row(instance) for instance in instances]


def _as_rows(items: Sequence["Instance | Row"]) -> list[Row]:
    return [item if isinstance(item, Row) else Row(item) for item in items]


class InstanceTableModel(QAbstractTableModel):
    def __init__(self, tag_key: str = "Tag") -> None:
        super().__init__()
        self._rows: list[Row] = []
        self._by_id: dict[str, int] = {}
        self._headers = [*HEADERS, shown(tag_key, 60)]
        self._ping_pending = True
        self._icons: dict[str, QIcon] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- the Qt model -------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Called for every visible cell and role at each repaint: plain int
        # comparisons and list lookups only (enum comparisons cost more in PySide).
        if role in (_DISPLAY, _ACCESSIBLE_TEXT):
            if not index.isValid():
                return None
            return self._rows[index.row()].cells[index.column()]
        if role == _DECORATION:
            if not index.isValid():
                return None
            column = index.column()
            if column == STATE:
                state = self._rows[index.row()].instance.state
                return self._icon(_STATE_COLOURS.get(state, "#9a9a9a"))
            if column == SSM:
                ping = self._rows[index.row()].instance.ping_status
                return self._icon(_PING_COLOURS.get(ping, "#9a9a9a")) if ping else None
            return None
        if role == _INSTANCE and index.isValid():
            return self._rows[index.row()].instance
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role
            in (
                Qt.ItemDataRole.DisplayRole,
                Qt.ItemDataRole.AccessibleTextRole,
            )
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here on precomputed keys (Python's sort), not by a comparison per pair."""
        if not 0 <= column < len(self._headers):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._rows[i.row()].instance.instance_id for i in old]
        self._sort_rows()
        self._reindex()
        self.changePersistentIndexList(
            old,
            [self.index(self._by_id[iid], i.column()) for iid, i in zip(old_ids, old, strict=True)],
        )
        self.layoutChanged.emit()

    # -- feeding it ------------------------------------------------------------
    def _icon(self, colour: str) -> QIcon:
        icon = self._icons.get(colour)
        if icon is None:
            icon = self._icons[colour] = _dot(colour)
        return icon

    def _sort_rows(self) -> None:
        if self._sort is None:
            return
        column, order = self._sort
        self._rows.sort(key=lambda r: r.keys[column], reverse=order == Qt.SortOrder.DescendingOrder)

    def _reindex(self) -> None:
        self._by_id = {row.instance.instance_id: n for n, row in enumerate(self._rows)}

    def clear(self, tag_key: str | None = None) -> None:
        self.beginResetModel()
        self._rows = []
        self._by_id = {}
        self._ping_pending = True
        if tag_key is not None:
            self._headers = [*HEADERS, shown(tag_key, 60)]
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

    def add_instances(self, items: Sequence["Instance | Row"]) -> None:
        """Rows from one DescribeInstances page; an instance already shown is updated.

        While a listing streams in, new rows go at the end (one insert, no
        re-sort per page); `set_inventory` sorts the complete listing.
        """
        rows = _as_rows(items)
        new: list[Row] = []
        for row in rows:
            at = self._by_id.get(row.instance.instance_id)
            if at is None:
                new.append(row)
            else:
                self._rows[at] = row
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for offset, row in enumerate(new):
            self._rows.append(row)
            self._by_id[row.instance.instance_id] = first + offset
        self.endInsertRows()

    def set_inventory(self, items: Sequence["Instance | Row"]) -> None:
        """The complete listing (with ping statuses), sorted; rows no longer listed go away."""
        rows = _as_rows(items)
        if {r.instance.instance_id for r in rows} != set(self._by_id):
            self.beginResetModel()
            self._rows = rows
            self._sort_rows()
            self._reindex()
            self.endResetModel()
            return
        for row in rows:
            self._rows[self._by_id[row.instance.instance_id]] = row
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(self._headers) - 1)
            )
        if self._sort is not None:
            self.sort(*self._sort)

    def instance_at(self, row: int) -> Instance:
        return self._rows[row].instance

    def haystack(self, row: int) -> str:
        return self._rows[row].haystack

    def haystacks(self) -> list[str]:
        return [row.haystack for row in self._rows]

    def row_of(self, instance_id: str) -> int | None:
        return self._by_id.get(instance_id)

    def instances(self) -> list[Instance]:
        return [row.instance for row in self._rows]


class InstanceFilterProxy(QSortFilterProxyModel):
    """Search over every shown column; sorting is the source model's (see its sort()).

    The match is computed for all rows at once in Python (one list
    comprehension over the rows' precomputed text), so the per-row
    `filterAcceptsRow` that Qt calls is a list lookup.
    """

    def __init__(self) -> None:
        super().__init__()
        self._needle = ""
        self._accepted: list[bool] | None = None  # None: every row
        self.setDynamicSortFilter(False)

    def setSourceModel(self, model: QAbstractItemModel) -> None:  # noqa: N802
        super().setSourceModel(model)
        # Rows that arrive or change while a search is active are matched too.
        for signal in (
            model.rowsInserted,
            model.modelReset,
            model.layoutChanged,
            model.dataChanged,
        ):
            signal.connect(self._source_changed)

    def _source_changed(self, *_args: object) -> None:
        if self._needle:
            self._match()

    def _match(self) -> None:
        model = self.sourceModel()
        assert isinstance(model, InstanceTableModel)
        needle = self._needle
        self._accepted = [needle in text for text in model.haystacks()] if needle else None

    def set_search(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and newer
            self.beginFilterChange()
            self._needle = needle
            self._match()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = needle
            self._match()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        accepted = self._accepted
        if accepted is None:
            return True
        if source_row >= len(accepted):  # a row the source is adding right now
            self._match()
            accepted = self._accepted or []
        return source_row < len(accepted) and accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model = self.sourceModel()
        if isinstance(model, InstanceTableModel):
            model.sort(column, order)

    def instance(self, index: QModelIndex) -> Instance | None:
        if not index.isValid():
            return None
        value = self.data(index, INSTANCE_ROLE)
        return value if isinstance(value, Instance) else None
