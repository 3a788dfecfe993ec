"""The main window: party profiles at the side, their instances in a searchable table.

A view over the controllers: every blocking call goes to a TaskRunner (the
profile's own serial one for anything that uses its role chain), and every
answer comes back here on the GUI thread. A listing's answers carry a token;
those for a listing no longer shown (another profile selected, Cancel, a newer
Refresh) are dropped.
"""

import logging
import shlex
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ssmclient.core.app_settings import AppSettings, apply_to_environment
from ssmclient.core.aws.instance import Instance
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.ssh_config import ssh_config_block
from ssmclient.gui import messages
from ssmclient.gui.controllers import profile_actions
from ssmclient.gui.controllers.mfa import MfaAsker
from ssmclient.gui.controllers.profile_session import (
    Forwarding,
    Listing,
    Opened,
    ProfileSession,
)
from ssmclient.gui.crash import CrashReporter
from ssmclient.gui.dialogs.import_dialog import ImportDialog
from ssmclient.gui.dialogs.mfa_dialog import MfaDialog
from ssmclient.gui.dialogs.port_forward_dialog import PortForwardDialog
from ssmclient.gui.dialogs.sign_in_dialog import SignInDialog
from ssmclient.gui.host_text import plain_label, set_named_text, shown
from ssmclient.gui.models.instance_table import (
    NAME,
    SSM,
    STATE,
    InstanceFilterProxy,
    InstanceTableModel,
    Row,
)
from ssmclient.gui.models.profile_list import RECORD_ROLE, ProfileListModel
from ssmclient.gui.views import ChooseProfileState, EmptyState, ErrorBanner, InstanceTableView
from ssmclient.gui.workers import Failure, TaskRunner

PAGE_EMPTY, PAGE_CHOOSE, PAGE_TABLE = range(3)
# AWS error codes that mean the signed-in credentials are no longer any good.
CREDENTIALS_REFUSED = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "RequestExpired",
    }
)
ROWS_PER_TURN = 200  # rows inserted per event-loop turn while a listing streams in
# Widths that fit typical values (the Name column gets the most).
COLUMN_SAMPLES = [
    "a-typical-name-0001",
    "i-0123456789abcdef0",
    "stopping",
    "ConnectionLost",
    "10.100.200.250",
    "54.200.200.250",
    "Linux/UNIX",
    "ap-southeast-2",
    "Third_Party_A",
]


def _minutes(seconds: float) -> str:
    if seconds <= 0:
        return "expired"
    if seconds < 60:
        return f"expires in {int(seconds)} s"
    return f"expires in {int(seconds // 60)} min"


def _release(waiters: list[threading.Event]) -> None:
    for waiter in waiters:
        waiter.set()


class MainWindow(QMainWindow):
    # For tests and the benchmarks: a listing finished (or failed) and was shown.
    listing_finished = Signal()
    profiles_loaded = Signal()
    import_dialog_opened = Signal(object)
    sign_in_dialog_opened = Signal(object)

    def __init__(self, *, title_suffix: str = "", crash: CrashReporter | None = None) -> None:
        super().__init__()
        self.setWindowTitle("ssmclient" + (f" — {title_suffix}" if title_suffix else ""))
        self.setAcceptDrops(True)
        self.resize(1280, 720)
        self.runner = TaskRunner()
        self.crash = crash
        self.settings = AppSettings()
        self.mfa = MfaAsker(self._ask_mfa)
        self.sessions: dict[str, ProfileSession] = {}
        self.current: ProfileSession | None = None
        self.forwards: list[Forwarding] = []
        self._token = 0
        self._listing_started = 0.0
        self._ready = False  # the profile store can be read (sandbox mode waits for it)
        self._pending_files: list[str] = []
        self._incoming: list[Row] = []  # rows of pages not yet in the table
        # The listing waits on these until its pages are inserted and painted.
        self._unshown: list[threading.Event] = []
        self._draining = False
        self.sandbox: object | None = None  # the running sandbox with --sandbox
        self._build()
        self._connect_bridge()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()

    # -- building -------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)

        side = QWidget()
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(8, 8, 4, 8)
        side_box.addWidget(plain_label("Party profiles"))
        self.profile_model = ProfileListModel()
        self.profile_list = QListView()
        self.profile_list.setAccessibleName("Profiles")
        self.profile_list.setModel(self.profile_model)
        self.profile_list.setUniformItemSizes(False)
        self.profile_list.setSpacing(2)
        self.profile_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.profile_list.selectionModel().currentRowChanged.connect(self._profile_selected)
        self.profile_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.profile_list.customContextMenuRequested.connect(self._profile_menu)
        side_box.addWidget(self.profile_list, 1)
        self.import_button = QPushButton("Import profile…")
        self.import_button.setAccessibleName("Import profile")
        self.import_button.setToolTip("Import a .ssmprofile file from your host (Ctrl+I)")
        self.import_button.clicked.connect(self.choose_import_file)
        side_box.addWidget(self.import_button)
        row = QHBoxLayout()
        self.sign_in_button = QPushButton("Sign-in method…")
        self.sign_in_button.setAccessibleName("Sign-in method")
        self.sign_in_button.clicked.connect(self.edit_sign_in)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove profile")
        self.remove_button.clicked.connect(self.remove_profile)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.remove_button)
        side_box.addLayout(row)
        side.setMinimumWidth(230)
        splitter.addWidget(side)

        main = QWidget()
        box = QVBoxLayout(main)
        box.setContentsMargins(4, 8, 8, 8)
        self.session_status = plain_label("Not signed in")
        self.session_status.setAccessibleName("Session status")
        self.session_status.setAccessibleDescription("Not signed in")
        box.addWidget(self.session_status)
        self.error_banner = ErrorBanner()
        box.addWidget(self.error_banner)

        tools = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setAccessibleName("Search instances")
        self.search.setPlaceholderText("Search by name, id, IP, state… (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        for action in self.search.actions():  # the clear button Qt adds: name it too
            action.setText("Clear search")
        for clear_button in self.search.findChildren(QToolButton):
            clear_button.setAccessibleName("Clear search")
        tools.addWidget(self.search, 1)
        self.connect_button = QPushButton("Connect")
        self.connect_button.setAccessibleName("Connect")
        self.connect_button.setToolTip("Open a shell in a terminal window (Enter)")
        self.connect_button.clicked.connect(self.connect_selected)
        self.forward_button = QPushButton("Port forward…")
        self.forward_button.setAccessibleName("Port forward")
        self.forward_button.clicked.connect(self.port_forward_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setAccessibleName("Refresh")
        self.refresh_button.setToolTip("List the instances again (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        for button in (self.connect_button, self.forward_button, self.refresh_button):
            tools.addWidget(button)
        box.addLayout(tools)

        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Listing progress")
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel listing")
        self.cancel_button.clicked.connect(self.cancel_listing)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_widget = QWidget()
        self.progress_widget.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        self.progress_widget.hide()
        box.addWidget(self.progress_widget)

        self.pages = QStackedWidget()
        self.empty_state = EmptyState()
        self.empty_state.import_requested.connect(self.choose_import_file)
        self.pages.addWidget(self.empty_state)
        self.pages.addWidget(ChooseProfileState())
        self.model = InstanceTableModel()
        self.proxy = InstanceFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = InstanceTableView()
        self.table.setAccessibleName("Instances")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(NAME, Qt.SortOrder.AscendingOrder)
        metrics = self.table.fontMetrics()
        for column, sample in enumerate(COLUMN_SAMPLES):
            icon = 24 if column in (STATE, SSM) else 0  # the state and ping dots
            self.table.setColumnWidth(column, metrics.horizontalAdvance(sample) + 24 + icon)
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 10)
        self.table.doubleClicked.connect(lambda _index: self.connect_selected())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._instance_menu)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.pages.addWidget(self.table)
        box.addWidget(self.pages, 1)
        self.search.textChanged.connect(self._search_changed)

        self.forwards_title = plain_label("Port forwards")
        box.addWidget(self.forwards_title)
        forwards_row = QHBoxLayout()
        self.forward_list = QListWidget()
        self.forward_list.setAccessibleName("Port forwards")
        self.forward_list.setMaximumHeight(96)
        forwards_row.addWidget(self.forward_list, 1)
        forward_buttons = QVBoxLayout()
        self.copy_forward_button = QPushButton("Copy address")
        self.copy_forward_button.setAccessibleName("Copy forward address")
        self.copy_forward_button.clicked.connect(self.copy_forward_address)
        self.stop_forward_button = QPushButton("Stop")
        self.stop_forward_button.setAccessibleName("Stop port forward")
        self.stop_forward_button.clicked.connect(self.stop_selected_forward)
        forward_buttons.addWidget(self.copy_forward_button)
        forward_buttons.addWidget(self.stop_forward_button)
        forward_buttons.addStretch(1)
        forwards_row.addLayout(forward_buttons)
        self.forwards_widget = QWidget()
        self.forwards_widget.setLayout(forwards_row)
        forwards_row.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.forwards_widget)
        self._show_forwards()
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 920])

        self._build_menus()
        self.statusBar().showMessage("Starting…")
        self._update_actions()
        self.pages.setCurrentIndex(PAGE_CHOOSE)

    def _build_menus(self) -> None:
        def action(
            text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None
        ) -> QAction:
            item = QAction(text, self)
            if shortcut is not None:
                item.setShortcut(QKeySequence(shortcut))
            item.triggered.connect(lambda _checked=False: slot())
            return item

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(action("&Import profile…", self.choose_import_file, "Ctrl+I"))
        file_menu.addAction(action("&Settings…", self.open_settings, "Ctrl+,"))
        file_menu.addSeparator()
        quit_keys = QKeySequence(QKeySequence.StandardKey.Quit)
        file_menu.addAction(action("&Quit", self.close, quit_keys))
        profile_menu = self.menuBar().addMenu("&Profile")
        profile_menu.addAction(action("&Sign-in method…", self.edit_sign_in))
        profile_menu.addAction(action("&Doctor…", self.open_doctor, "Ctrl+D"))
        profile_menu.addAction(action("&Remove profile…", self.remove_profile))
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(action("&Refresh", self.refresh, "F5"))
        view_menu.addAction(action("&Search", self._focus_search, "Ctrl+F"))
        view_menu.addAction(action("Session &history…", self.open_history, "Ctrl+H"))
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(action("&About ssmclient", self._about))
        self.table.installEventFilter(self)
        escape = QShortcut(QKeySequence("Escape"), self)
        escape.activated.connect(self.cancel_listing)

    def _connect_bridge(self) -> None:
        bridge = messages.bridge()
        bridge.error_raised.connect(self._show_error)
        bridge.error_cleared.connect(self.error_banner.clear)
        # Bound methods: Qt disconnects them when this window is destroyed.
        bridge.info_posted.connect(self._show_info)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Enter on a row connects (the item view would otherwise only "activate" it).
        if (
            watched is self.table
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.connect_selected()
            return True
        return super().eventFilter(watched, event)

    # -- start-up ---------------------------------------------------------------
    def start(self, settings_first: bool = True) -> None:
        """The store can be read now: load the settings and the profiles."""
        self._ready = True
        if settings_first:
            self.runner.submit(
                profile_actions.load_settings, self._settings_loaded, self.report_failure
            )
        self.load_profiles()
        for path in self._pending_files:
            self.import_file(path)
        self._pending_files.clear()

    def _settings_loaded(self, settings: AppSettings) -> None:
        self.settings = settings
        apply_to_environment(settings)

    def load_profiles(self, select: str | None = None) -> None:
        def done(records: list[ProfileRecord]) -> None:
            selected = select or (self.current.record.name if self.current else None)
            blocker = self.profile_list.selectionModel().blockSignals(True)
            self.profile_model.set_records(records)
            self.profile_list.selectionModel().blockSignals(blocker)
            for record in records:
                session = self.sessions.get(record.id)
                if session is not None:
                    session.record = record
            self.statusBar().showMessage(f"{len(records)} profile(s)", 5000)
            if not records:
                self.current = None
                self.pages.setCurrentIndex(PAGE_EMPTY)
            else:
                row = self.profile_model.row_named(selected) if selected else None
                if row is not None:
                    self._select_profile_row(row, force=select is not None)
                elif self.current is None:
                    self.pages.setCurrentIndex(PAGE_CHOOSE)
            self._update_actions()
            self.profiles_loaded.emit()

        self.runner.submit(profile_actions.list_profiles, done, self.report_failure)

    def _select_profile_row(self, row: int, *, force: bool) -> None:
        """Select `row`; list again only for another profile, or when `force`."""
        record = self.profile_model.record_at(row)
        same = self.current is not None and self.current.record.id == record.id
        selection = self.profile_list.selectionModel()
        blocked = selection.blockSignals(True)
        selection.setCurrentIndex(
            self.profile_model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        selection.blockSignals(blocked)
        self.profile_list.viewport().update()
        if not same:
            self._activate(record)
        elif force:
            self._start_listing()

    # -- profiles and listing ---------------------------------------------------
    def _session_for(self, record: ProfileRecord) -> ProfileSession:
        session = self.sessions.get(record.id)
        if session is None:
            session = ProfileSession(record, self.mfa)
            session.page_arrived.connect(self._page_arrived, Qt.ConnectionType.QueuedConnection)
            session.signed_in.connect(
                lambda _hop, s=session: self._signed_in(s), Qt.ConnectionType.QueuedConnection
            )
            self.sessions[record.id] = session
        return session

    def _signed_in(self, session: ProfileSession) -> None:
        self._tick()
        if session is self.current and self.progress_widget.isVisible():
            name = shown(session.record.name)
            self.statusBar().showMessage(f"Listing the instances of {name}…")

    def _profile_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        record = current.data(RECORD_ROLE)
        assert isinstance(record, ProfileRecord)
        if self.current is None or self.current.record.id != record.id:
            self._activate(record)

    def _activate(self, record: ProfileRecord) -> None:
        """Show `record`'s instances: sign in (if needed) and list."""
        self.current = self._session_for(record)
        self.model.clear(record.profile.instance_tag.key)
        self.search.clear()
        self.pages.setCurrentIndex(PAGE_TABLE)
        self._tick()
        self._start_listing()

    def refresh(self) -> None:
        if self.current is None:
            return
        self._start_listing()

    def _start_listing(self) -> None:
        session = self.current
        if session is None:
            return
        record = session.record
        if record.profile.is_expired():
            self.cancel_listing(quiet=True)
            self._show_error(
                f"profile {shown(record.name)} has expired: it no longer connects; "
                "ask the host for a new profile file"
            )
            return
        self._token += 1
        token = self._token
        self._drop_incoming()
        self._release_listing()
        self._listing_started = datetime.now(UTC).timestamp()
        self.progress_widget.show()
        if session.hop is None:
            self.profile_model.set_state(record.id, "signing in…")
            self.statusBar().showMessage(f"Signing in to {shown(record.name)}…")
        else:
            self.statusBar().showMessage(f"Listing the instances of {shown(record.name)}…")

        def done(listing: Listing) -> None:
            if listing.token != self._token or self.current is not session:
                return  # a listing no longer shown
            self.progress_widget.hide()
            selected = self.selected_instance()
            self._drop_incoming()
            self._release_listing()
            self.model.set_inventory(listing.rows)
            self._reselect(selected.instance_id if selected else None)
            seconds = datetime.now(UTC).timestamp() - self._listing_started
            count = len(listing.inventory.instances)
            text = f"{count} instance(s) listed in {seconds:.1f} s"
            for region, reason in sorted(listing.inventory.ping_unreadable.items()):
                text += f"; SSM status unknown in {region} ({reason})"
            self.statusBar().showMessage(text)
            messages.bridge().clear_error()
            self._tick()
            self._update_actions()
            self.listing_finished.emit()

        def failed(failure: Failure) -> None:
            if getattr(failure.exception, "code", None) in CREDENTIALS_REFUSED:
                # Revoked or expired under us: the next Refresh signs in again.
                session.sign_out()
            if token != self._token or self.current is not session:
                return
            self.progress_widget.hide()
            self.profile_model.set_state(
                record.id, "error" if session.hop is None else self._state_text(session)
            )
            self.report_failure(failure)
            self.statusBar().showMessage("The listing failed; see the message above.")
            self.listing_finished.emit()

        session.list_instances(token, done, failed)

    def _page_arrived(self, token: int, rows: object, on_screen: object) -> None:
        assert isinstance(on_screen, threading.Event)
        self._unshown.append(on_screen)
        if token != self._token:
            self._release_listing()
            return
        assert isinstance(rows, list)
        self._incoming.extend(rows)
        if not self._draining:
            self._draining = True
            QTimer.singleShot(0, self._drain)

    def _drain(self) -> None:
        """Insert arrived rows a few hundred per event-loop turn (input goes on between
        them); the table is painted once, when the page is in."""
        self._draining = False
        if not self._incoming:
            return
        chunk, self._incoming = self._incoming[:ROWS_PER_TURN], self._incoming[ROWS_PER_TURN:]
        if self._incoming:
            # One paint for the page, at its last turn, not one per turn: each paint
            # beside the listing's threads costs several times its idle 7 ms.
            self.table.setUpdatesEnabled(False)
        self.model.add_instances(chunk)
        self._update_actions()
        if self._incoming:
            self._draining = True
            QTimer.singleShot(0, self._drain)
        else:
            self.table.setUpdatesEnabled(True)
            # Every page that arrived is in: painted now, the listing goes on once
            # Qt has done what the insert asked of it (at the next turn).
            if self.table.isVisible() and not self.isMinimized():
                self.table.show_now()
            shown, self._unshown = self._unshown, []
            QTimer.singleShot(0, lambda: _release(shown))

    def _drop_incoming(self) -> None:
        """Rows not yet inserted are dropped (a new listing, or the whole one is in)."""
        self._incoming.clear()
        self.table.setUpdatesEnabled(True)  # turned off only while a page is inserted

    def _release_listing(self) -> None:
        """Let a listing waiting for its pages to be shown go on (see ProfileSession)."""
        _release(self._unshown)
        self._unshown = []

    def cancel_listing(self, quiet: bool = False) -> None:
        if not self.progress_widget.isVisible():
            return
        self._token += 1  # the running listing's answers are dropped
        self._release_listing()
        self.progress_widget.hide()
        if not quiet:
            self.statusBar().showMessage("Cancelled; Refresh lists again.", 10000)
        if self.current is not None:
            self.profile_model.set_state(self.current.record.id, self._state_text(self.current))
        self.listing_finished.emit()

    def _reselect(self, instance_id: str | None) -> None:
        if instance_id is None:
            return
        row = self.model.row_of(instance_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().select(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.table.setCurrentIndex(index)

    def _search_changed(self, text: str) -> None:
        self.proxy.set_search(text)
        self._update_actions()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def selected_instance(self) -> Instance | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.proxy.instance(rows[0])

    def _update_actions(self) -> None:
        has_profile = self.current is not None
        has_instance = self.selected_instance() is not None
        self.connect_button.setEnabled(has_instance)
        self.forward_button.setEnabled(has_instance)
        self.refresh_button.setEnabled(has_profile)
        self.sign_in_button.setEnabled(has_profile)
        self.remove_button.setEnabled(has_profile)
        selected_forward = self.forward_list.currentRow() >= 0
        self.copy_forward_button.setEnabled(selected_forward)
        self.stop_forward_button.setEnabled(selected_forward)

    # -- the session status line ---------------------------------------------
    def _state_text(self, session: ProfileSession) -> str:
        if session.record.profile.is_expired():
            return "profile expired"
        left = session.seconds_left()
        if left is None:
            return "not signed in"
        if left <= 0:
            return "signed in, credentials expired"
        return f"signed in, {_minutes(left)}"

    def _tick(self) -> None:
        for each in self.sessions.values():
            self.profile_model.set_state(each.record.id, self._state_text(each))
        session = self.current
        if session is None or session.hop is None:
            text = "Not signed in"
        else:
            left = session.seconds_left() or 0
            status = _minutes(left) if left > 0 else "expired; Refresh signs in again"
            text = f"{session.hop.assumed_role_arn} · {status}"
        if text != self.session_status.text():
            set_named_text(self.session_status, text)
        self._check_forwards()

    # -- errors -------------------------------------------------------------------
    def _show_info(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _show_error(self, message: str) -> None:
        self.error_banner.show_message(message)

    def report_failure(self, failure: Failure) -> None:
        """A task's failure: the banner, and the crash dialog too for a bug."""
        if failure.internal and self.crash is not None:
            self.crash.report(failure.message, failure.details)
        logging.getLogger("ssmclient.gui").error("%s", failure.message)
        messages.bridge().error(failure.message)

    # -- MFA ------------------------------------------------------------------------
    def _ask_mfa(self, serial: str, reply: Callable[[str | None], None]) -> None:
        dialog = MfaDialog(serial, self)

        def finished(result: int) -> None:
            reply(dialog.value() if result == MfaDialog.DialogCode.Accepted else None)
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()

    # -- import ---------------------------------------------------------------------
    def choose_import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import profile",
            str(Path.home()),
            "ssmclient profiles (*.ssmprofile);;All files (*)",
        )
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> None:
        """The import journey for `path` (a double-click, a drop, a second launch, a chooser)."""
        if not self._ready:
            self._pending_files.append(path)
            return
        self.statusBar().showMessage(f"Reading {shown(path, 200)}…")
        self.runner.submit(
            lambda: profile_actions.preview_import(path), self._show_import, self.report_failure
        )

    def _show_import(self, preview: profile_actions.ImportPreview) -> None:
        if preview.warning:
            self._show_error(preview.warning)
        dialog = ImportDialog(
            preview.path, preview.imported, preview.changes, preview.headline, self
        )

        def finished(result: int) -> None:
            dialog.deleteLater()
            if result != ImportDialog.DialogCode.Accepted:
                self.statusBar().showMessage("Nothing imported.", 5000)
                return
            if preview.changes == []:
                self.statusBar().showMessage("Nothing changed.", 5000)
                self.load_profiles(select=preview.imported.profile.name)
                return
            self.runner.submit(
                lambda: profile_actions.save_import(preview.imported), imported, self.report_failure
            )

        def imported(result: Any) -> None:
            record: ProfileRecord = result.record
            if result.set_aside is not None:
                self._show_error(
                    f"the unreadable profile store was kept as {result.set_aside}; "
                    "a new store was started"
                )
            else:
                messages.bridge().clear_error()
            verb = "Updated" if result.replaced else "Imported"
            self.statusBar().showMessage(
                f"{verb} {shown(record.name)}; its External ID is in the keyring."
            )
            old = self.sessions.pop(record.id, None)
            if old is not None:
                old.sign_out()
            if result.replaced is None:
                self.load_profiles()
                self.open_sign_in(record, then_select=True)
            else:
                self.load_profiles(select=record.name)

        dialog.finished.connect(finished)
        dialog.open()
        self.import_dialog_opened.emit(dialog)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.import_file(url.toLocalFile())
                event.acceptProposedAction()
                return

    # -- sign-in method ------------------------------------------------------------
    def edit_sign_in(self) -> None:
        if self.current is not None:
            self.open_sign_in(self.current.record)

    def open_sign_in(self, record: ProfileRecord, then_select: bool = False) -> None:
        def ready(data: profile_actions.SignInData) -> None:
            dialog = SignInDialog(record, data.aws_profiles, data.default_session_name, self)

            def finished(result: int) -> None:
                choice = dialog.choice() if result == SignInDialog.DialogCode.Accepted else None
                dialog.deleteLater()
                if choice is None:
                    if then_select:
                        self.load_profiles(select=record.name)
                    return
                self.runner.submit(
                    lambda: profile_actions.save_sign_in(record, choice), saved, self.report_failure
                )

            dialog.finished.connect(finished)
            dialog.open()
            self.sign_in_dialog_opened.emit(dialog)

        def saved(updated: ProfileRecord) -> None:
            session = self.sessions.get(updated.id)
            if session is not None:
                session.record = updated
                session.sign_out()
            self.statusBar().showMessage(
                f"Sign-in method of {shown(updated.name)}: {updated.source.describe()}", 10000
            )
            self.load_profiles(select=updated.name)

        self.runner.submit(profile_actions.sign_in_data, ready, self.report_failure)

    def remove_profile(self) -> None:
        if self.current is None:
            return
        record = self.current.record
        box = QMessageBox(self)
        box.setWindowTitle("Remove profile")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Remove the profile {shown(record.name, 120)} and its keyring entries?\n"
            "You can import the host's file again later."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Remove")
        box.button(QMessageBox.StandardButton.Yes).setAccessibleName("Remove")
        box.button(QMessageBox.StandardButton.Cancel).setAccessibleName("Cancel")

        def finished(result: int) -> None:
            box.deleteLater()
            if result != QMessageBox.StandardButton.Yes:
                return

            def removed(_record: ProfileRecord) -> None:
                removed_session = self.sessions.pop(record.id, None)
                if removed_session is self.current:
                    self.current = None
                    self.model.clear()
                self._tick()
                self.statusBar().showMessage(f"Removed {shown(record.name)}.", 10000)
                self.load_profiles()

            self.runner.submit(
                lambda: profile_actions.remove_profile(record.name), removed, self.report_failure
            )

        box.finished.connect(finished)
        box.open()

    # -- sessions --------------------------------------------------------------------
    def connect_selected(self) -> None:
        instance = self.selected_instance()
        session = self.current
        if instance is None or session is None:
            return
        label = shown(instance.name, 60) if instance.name else instance.instance_id
        self.statusBar().showMessage(f"Opening a shell on {label}…")

        def done(opened: Opened) -> None:
            messages.bridge().clear_error()
            self._tick()
            self.statusBar().showMessage(
                f"Session {opened.outcome.session_id} on {label} opened in a "
                f"{opened.outcome.terminal} window.",
                15000,
            )

        def failed(failure: Failure) -> None:
            self.report_failure(failure)
            self.statusBar().showMessage(f"No shell on {label}; see the message above.", 15000)

        session.open_shell(instance, self.settings, done, failed)

    def port_forward_selected(self) -> None:
        instance = self.selected_instance()
        session = self.current
        if instance is None or session is None:
            return
        label = (
            f"{instance.name} ({instance.instance_id})" if instance.name else instance.instance_id
        )
        dialog = PortForwardDialog(label, self)

        def finished(result: int) -> None:
            values = dialog.values() if result == PortForwardDialog.DialogCode.Accepted else None
            dialog.deleteLater()
            if values is None:
                return
            remote_port, remote_host, local_port = values
            self.statusBar().showMessage(f"Starting a port forward to {shown(label, 80)}…")
            session.forward(
                instance, remote_port, local_port, remote_host, self.settings, started, failed
            )

        def failed(failure: Failure) -> None:
            self.report_failure(failure)
            self.statusBar().showMessage("The port forward did not start; see the message above.")

        def started(forwarding: Forwarding) -> None:
            messages.bridge().clear_error()
            self.forwards.append(forwarding)
            port = forwarding.forward.local_port
            target = f"{forwarding.remote_host} via " if forwarding.remote_host else ""
            name = shown(instance.name, 40) if instance.name else instance.instance_id
            item = QListWidgetItem(f"localhost:{port} → {target}{name}:{forwarding.remote_port}")
            item.setData(Qt.ItemDataRole.UserRole, id(forwarding))
            self.forward_list.addItem(item)
            self.forward_list.setCurrentItem(item)
            self._show_forwards()
            self._tick()
            self.statusBar().showMessage(f"Forwarding localhost:{port}", 15000)

        dialog.finished.connect(finished)
        dialog.open()

    def _forward_of(self, item: QListWidgetItem | None) -> Forwarding | None:
        if item is None:
            return None
        key = item.data(Qt.ItemDataRole.UserRole)
        return next((f for f in self.forwards if id(f) == key), None)

    def _remove_forward_item(self, forwarding: Forwarding) -> None:
        for row in range(self.forward_list.count()):
            if self.forward_list.item(row).data(Qt.ItemDataRole.UserRole) == id(forwarding):
                self.forward_list.takeItem(row)
                break
        if forwarding in self.forwards:
            self.forwards.remove(forwarding)
        self._show_forwards()

    def copy_forward_address(self) -> None:
        forwarding = self._forward_of(self.forward_list.currentItem())
        if forwarding is not None:
            address = f"localhost:{forwarding.forward.local_port}"
            QGuiApplication.clipboard().setText(address)
            self.statusBar().showMessage(f"Copied {address}", 5000)

    def stop_selected_forward(self) -> None:
        forwarding = self._forward_of(self.forward_list.currentItem())
        if forwarding is None:
            return
        self._remove_forward_item(forwarding)
        port = forwarding.forward.local_port
        self.runner.submit(
            forwarding.forward.stop,
            lambda _none: self.statusBar().showMessage(
                f"Stopped localhost:{port}; the session is terminated.", 10000
            ),
            self.report_failure,
        )

    def _check_forwards(self) -> None:
        for forwarding in list(self.forwards):
            if not forwarding.forward.running:
                self._remove_forward_item(forwarding)
                output = forwarding.forward.output()
                last = output[-1] if output else "no output"
                self._show_error(
                    f"the port forward localhost:{forwarding.forward.local_port} ended by itself: "
                    f"{last}"
                )
                self.runner.submit(forwarding.forward.stop, lambda _none: None, self.report_failure)

    def _show_forwards(self) -> None:
        visible = self.forward_list.count() > 0
        self.forwards_title.setVisible(visible)
        self.forwards_widget.setVisible(visible)
        self._update_actions()

    # -- context menus ---------------------------------------------------------------
    def _instance_menu(self, point: QPoint) -> None:
        instance = self.selected_instance()
        if instance is None:
            return
        menu = QMenu(self)
        menu.setAccessibleName("Instance actions")
        menu.addAction("Connect", self.connect_selected)
        menu.addAction("Port forward…", self.port_forward_selected)
        menu.addSeparator()
        menu.addAction("Copy instance ID", lambda: self.copy_instance_id(instance))
        menu.addAction("Copy SSH config", lambda: self.copy_ssh_config(instance))
        menu.popup(self.table.viewport().mapToGlobal(point))

    def _profile_menu(self, point: QPoint) -> None:
        if self.current is None:
            return
        menu = QMenu(self)
        menu.setAccessibleName("Profile actions")
        menu.addAction("Sign-in method…", self.edit_sign_in)
        menu.addAction("Doctor…", self.open_doctor)
        menu.addAction("Refresh", self.refresh)
        menu.addSeparator()
        menu.addAction("Remove profile…", self.remove_profile)
        menu.popup(self.profile_list.viewport().mapToGlobal(point))

    def copy_instance_id(self, instance: Instance) -> None:
        QGuiApplication.clipboard().setText(instance.instance_id)
        self.statusBar().showMessage(f"Copied {instance.instance_id}", 5000)

    def copy_ssh_config(self, instance: Instance) -> None:
        if self.current is None:
            return
        try:
            block = ssh_config_block(
                self.current.record.name, instance.instance_id, instance.name, ssmclient_program()
            )
        except ValueError as exc:
            self._show_error(f"Copy SSH config: {exc}")
            return
        QGuiApplication.clipboard().setText(block)
        self.statusBar().showMessage(
            f"Copied an ssh config block for {instance.instance_id}: paste it into ~/.ssh/config",
            10000,
        )

    # -- other views -------------------------------------------------------------------
    def open_doctor(self) -> None:
        if self.current is None:
            return
        from ssmclient.gui.dialogs.doctor_dialog import DoctorDialog

        record = self.current.record
        dialog = DoctorDialog(record.name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

        def work() -> list[Any]:
            from ssmclient.core.doctor import diagnose

            return diagnose(record, profile_actions.store(), mfa_prompt=self.mfa)

        self.runner.submit(
            work, dialog.show_checks, lambda failure: dialog.show_failure(failure.message)
        )

    def open_history(self) -> None:
        from ssmclient.gui.dialogs.history_dialog import HistoryDialog

        dialog = HistoryDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.runner.submit(
            profile_actions.history,
            lambda result: dialog.show_entries(*result),
            lambda failure: dialog.show_failure(failure.message),
        )

    def open_settings(self) -> None:
        from ssmclient.gui.dialogs.settings_dialog import SettingsDialog

        current = self.settings

        def ready(detected: Any) -> None:
            dialog = SettingsDialog(current, detected, self)

            def finished(result: int) -> None:
                wanted = dialog.settings() if result == SettingsDialog.DialogCode.Accepted else None
                dialog.deleteLater()
                if wanted is not None:
                    self.runner.submit(
                        lambda: profile_actions.save_settings(wanted), saved, self.report_failure
                    )

            dialog.finished.connect(finished)
            dialog.open()

        def saved(settings: AppSettings) -> None:
            self.settings = settings
            apply_to_environment(settings)
            messages.bridge().clear_error()
            self.statusBar().showMessage("Settings saved.", 5000)

        self.runner.submit(lambda: profile_actions.detect(current), ready, self.report_failure)

    def _about(self) -> None:
        from ssmclient import __version__

        box = QMessageBox(self)
        box.setWindowTitle("About ssmclient")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"ssmclient {__version__}\n\nReach a host's EC2 instances through AWS Session "
            "Manager with the cross-account role the host gave you."
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- closing ------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Stop every port forward (their sessions are terminated), then go."""
        self.mfa.close()
        self._clock.stop()
        self._token += 1
        self._release_listing()
        forwards = list(self.forwards)
        self.forwards.clear()
        if forwards:
            self.hide()
            threads = [threading.Thread(target=f.forward.stop, daemon=True) for f in forwards]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(12)
        self.runner.close()
        for session in self.sessions.values():
            session.runner.close()
            session.close(2000)
        event.accept()


def ssmclient_program() -> str:
    """How a shell (ssh's ProxyCommand) runs this ssmclient: the installed command if any."""
    import shutil

    if getattr(sys, "frozen", False):
        from ssmclient.core.terminals.handoff import ssmclient_command

        return shlex.join(ssmclient_command())
    found = shutil.which("ssmclient")
    if found:
        return shlex.quote(found)
    return f"{shlex.quote(sys.executable)} -m ssmclient"
