"""Fixtures for the window's tests: offscreen Qt, the sandbox as alice, and a shown window.

The window runs in this process against the session's sandbox server, with
the in-memory keyring and a temporary config dir (tests/keyring_support.py).
"""

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from ssmclient.gui.dialogs.import_dialog import ImportDialog
from ssmclient.gui.dialogs.sign_in_dialog import SignInDialog
from ssmclient.gui.main_window import MainWindow
from ssmclient.sandbox.client import Sandbox

PROFILE_NAME = "Sandbox Host (Third_Party_A)"
WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def _application(qapp: object) -> object:
    """Every window test has its QApplication (pixmaps, fonts and clipboards need one)."""
    return qapp


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    shown = MainWindow()
    qtbot.addWidget(shown)
    shown.show()
    with qtbot.waitSignal(shown.profiles_loaded, timeout=WAIT_MS):
        shown.start()
    yield shown
    shown.close()


def accept_when_open(qtbot: QtBot, signal: Any, action: Callable[[Any], None]) -> Any:
    """Wait for a dialog to be opened (its `..._opened` signal) and act on it."""
    with qtbot.waitSignal(signal, timeout=WAIT_MS) as blocker:
        pass
    dialog = blocker.args[0]
    action(dialog)
    return dialog


def import_and_sign_in(
    qtbot: QtBot,
    window: MainWindow,
    path: Path,
    edit_sign_in: Callable[[SignInDialog], None] | None = None,
) -> None:
    """The partner's first-run journey: import the file, keep or edit the sign-in, list."""
    with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS) as opened:
        window.import_file(str(path))
    dialog: ImportDialog = opened.args[0]
    with qtbot.waitSignal(window.sign_in_dialog_opened, timeout=WAIT_MS) as signing:
        dialog.import_button.click()
    sign_in: SignInDialog = signing.args[0]
    if edit_sign_in is not None:
        edit_sign_in(sign_in)
    with qtbot.waitSignal(window.listing_finished, timeout=WAIT_MS):
        sign_in.save.click()


@pytest.fixture
def fake_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A "terminal" that runs its -e command at once, with no window (found through $TERMINAL)."""
    script = tmp_path / "fake-terminal" / "fake-term"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\n[ "$1" = "-e" ] && shift\nexec "$@" </dev/null\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("TERMINAL", str(script))
    monkeypatch.setenv("DISPLAY", ":0")  # a display "exists"; Qt itself stays offscreen
    return script


@pytest.fixture
def signed_in(qtbot: QtBot, window: MainWindow, alice: Sandbox, plugin_record: Path) -> MainWindow:
    """The window with the sandbox's A profile imported, signed in and listed."""
    import_and_sign_in(qtbot, window, alice.scenario.profile_file)
    return window
