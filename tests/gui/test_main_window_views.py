"""The window's other views and gestures: drop a file, shortcuts, SSH config, doctor,
history and settings, each against the sandbox."""

import os
import shlex
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from ssmclient.gui.dialogs.doctor_dialog import DoctorDialog
from ssmclient.gui.dialogs.history_dialog import HistoryDialog
from ssmclient.gui.dialogs.settings_dialog import SettingsDialog
from ssmclient.gui.main_window import MainWindow
from ssmclient.sandbox.client import Sandbox

from .conftest import WAIT_MS
from .test_main_window_journey import select, sessions


def visible(window: MainWindow, kind: type) -> list[object]:
    return [d for d in window.findChildren(kind) if d.isVisible()]


def test_dropping_a_file_opens_the_import_dialog(
    qtbot: QtBot, window: MainWindow, alice: Sandbox
) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(alice.scenario.profile_file))])
    event = QDropEvent(
        QPointF(50, 50),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS) as opened:
        window.dropEvent(event)
    assert opened.args[0].imported.profile.name == "Sandbox Host (Third_Party_A)"


def test_ctrl_i_opens_the_chooser_and_imports_the_chosen_file(
    qtbot: QtBot, window: MainWindow, alice: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = str(alice.scenario.profile_file)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (chosen, ""))
    with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)


def test_keyboard_shortcuts(qtbot: QtBot, signed_in: MainWindow, alice: Sandbox) -> None:
    window = signed_in
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)  # shortcuts act on the active window
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.focusWidget() is window.search
    before = alice.count("DescribeInstances")
    with qtbot.waitSignal(window.listing_finished, timeout=WAIT_MS):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert alice.count("DescribeInstances") == before + 1


def test_copy_ssh_config_holds_no_credential(signed_in: MainWindow, alice: Sandbox) -> None:
    window = signed_in
    target = alice.scenario.instances_a[0]
    select(window, target)
    instance = window.selected_instance()
    assert instance is not None
    window.copy_ssh_config(instance)
    block = QGuiApplication.clipboard().text()
    assert f"Host {target}\n" in block
    proxy = next(line for line in block.splitlines() if "ProxyCommand" in line)
    words = shlex.split(proxy.split("ProxyCommand", 1)[1].replace("%%", "%"))
    assert words[-5:] == ["--profile", "Sandbox Host (Third_Party_A)", "%h", "--port", "%p"]
    assert "ssh-proxy" in words
    for secret in (alice.scenario.external_id, alice.scenario.alice_secret_access_key):
        assert secret not in block
    window.copy_instance_id(instance)
    assert QGuiApplication.clipboard().text() == target


def test_doctor_runs_every_check(qtbot: QtBot, signed_in: MainWindow, plugin_record: Path) -> None:
    window = signed_in
    window.open_doctor()
    [dialog] = visible(window, DoctorDialog)
    assert isinstance(dialog, DoctorDialog)
    qtbot.waitUntil(lambda: bool(dialog.checks), timeout=WAIT_MS)
    assert [c.check for c in dialog.checks] == [
        "source credentials",
        "hop 1",
        "hop 2",
        "listing",
        "ping status",
        "session-manager-plugin",
    ]
    assert all(c.ok for c in dialog.checks), dialog.checks
    assert dialog.heading.text() == "Every check passed."


def test_history_shows_the_session_just_opened(
    qtbot: QtBot,
    signed_in: MainWindow,
    alice: Sandbox,
    plugin_record: Path,
    fake_terminal: Path,
) -> None:
    window = signed_in
    select(window, alice.scenario.instances_a[0])
    window.connect_button.click()
    qtbot.waitUntil(lambda: bool(sessions(plugin_record)), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "opened in a" in window.statusBar().currentMessage(), timeout=WAIT_MS)
    window.open_history()
    [dialog] = visible(window, HistoryDialog)
    assert isinstance(dialog, HistoryDialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT_MS)
    assert alice.scenario.instances_a[0] in dialog.model.index(0, 2).data()
    assert dialog.model.index(0, 6).data().startswith("opened in")


def test_settings_are_saved_and_applied(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, config_dir: Path
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "")  # restored after the test
    window.open_settings()
    qtbot.waitUntil(lambda: bool(visible(window, SettingsDialog)), timeout=WAIT_MS)
    [dialog] = visible(window, SettingsDialog)
    assert isinstance(dialog, SettingsDialog)
    dialog.proxy.setText("http://proxy.corp.example:3128")
    dialog.accept()
    qtbot.waitUntil(lambda: window.settings.https_proxy is not None, timeout=WAIT_MS)
    assert os.environ["HTTPS_PROXY"] == "http://proxy.corp.example:3128"
    assert (config_dir / "settings.json").exists()


def test_bad_settings_are_refused_with_the_field_named(qtbot: QtBot, window: MainWindow) -> None:
    window.open_settings()
    qtbot.waitUntil(lambda: bool(visible(window, SettingsDialog)), timeout=WAIT_MS)
    [dialog] = visible(window, SettingsDialog)
    assert isinstance(dialog, SettingsDialog)
    dialog.proxy.setText("http://user:secret@proxy:3128")
    dialog.accept()
    qtbot.waitUntil(lambda: window.error_banner.isVisible(), timeout=WAIT_MS)
    assert window.error_banner.message.startswith("HTTPS proxy:")
    assert "secret" not in window.error_banner.message
    assert window.settings.https_proxy is None
