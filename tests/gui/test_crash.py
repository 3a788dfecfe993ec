"""An unexpected exception opens the crash dialog with the details; the window goes on."""

import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from ssmclient.gui.crash import CrashReporter
from ssmclient.gui.main_window import MainWindow
from ssmclient.gui.workers import Failure


@pytest.fixture
def reporter(window: MainWindow) -> Iterator[CrashReporter]:
    hooks = sys.excepthook, threading.excepthook
    crash = CrashReporter(window)
    crash.install()
    window.crash = crash
    try:
        yield crash
    finally:
        sys.excepthook, threading.excepthook = hooks


def crash_boxes(window: MainWindow) -> list[QMessageBox]:
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_an_exception_in_the_gui_thread_shows_the_details(
    qtbot: QtBot, window: MainWindow, reporter: CrashReporter
) -> None:
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # what PySide6 does for an exception in a slot
    qtbot.waitUntil(lambda: bool(crash_boxes(window)))
    [box] = crash_boxes(window)
    assert "ValueError: boom in a slot" in box.text()
    assert "Traceback" in box.detailedText()
    box.close()
    assert window.isVisible()


def test_an_exception_in_a_thread_is_shown_too(
    qtbot: QtBot, window: MainWindow, reporter: CrashReporter
) -> None:
    def fail() -> None:
        raise RuntimeError("boom in a thread")

    thread = threading.Thread(target=fail)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(crash_boxes(window)))
    assert "boom in a thread" in crash_boxes(window)[0].text()


def test_a_bug_in_a_task_reaches_the_banner_and_the_crash_dialog(
    qtbot: QtBot, window: MainWindow, reporter: CrashReporter
) -> None:
    def buggy() -> None:
        raise KeyError("missing")

    window.runner.submit(buggy, lambda _none: None, window.report_failure)
    qtbot.waitUntil(lambda: window.error_banner.isVisible())
    assert window.error_banner.message.startswith("internal error: KeyError")
    qtbot.waitUntil(lambda: bool(crash_boxes(window)))
    assert reporter.shown == 1


def test_a_user_error_in_a_task_is_only_a_banner(
    qtbot: QtBot, window: MainWindow, reporter: CrashReporter
) -> None:
    from ssmclient.core.errors import SsmClientError

    def refused() -> None:
        raise SsmClientError("hop 2 (arn:aws:iam::1:role/x): AccessDenied: no")

    failures: list[Failure] = []
    window.runner.submit(
        refused, lambda _none: None, lambda f: (failures.append(f), window.report_failure(f))
    )
    qtbot.waitUntil(lambda: window.error_banner.isVisible())
    assert window.error_banner.message == "hop 2 (arn:aws:iam::1:role/x): AccessDenied: no"
    assert not failures[0].internal
    assert reporter.shown == 0
