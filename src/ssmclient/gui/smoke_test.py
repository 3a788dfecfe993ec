"""`SSMCLIENT_SMOKE_TEST=REPORT.json`: start to the first window, write what it shows, exit.

For the packaged builds' smoke tests (CI's .deb test, the release workflow on
each runner) and the frozen app's first-window benchmark: a frozen app cannot
be instrumented from outside, and the window must be checked as the installed
command starts it (by a double-click: `gio open FILE.ssmprofile`). The report
says when the first window was painted (time.monotonic(), which a benchmark
compares with its own clock), the title, the dialog a file opened (or the
error it caused), and whether the app is frozen. It holds no secret: the
import dialog masks the External ID and nothing is imported.
"""

import json
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from ssmclient.gui.main_window import MainWindow

VARIABLE = "SSMCLIENT_SMOKE_TEST"
# How long a file's import dialog may take to appear before the report is written anyway.
DIALOG_WAIT_S = 15.0


def requested() -> Path | None:
    value = os.environ.get(VARIABLE, "")
    return Path(value) if value else None


def report_when_shown(window: MainWindow, report: Path, *, file: str | None) -> None:
    """Called right after window.show(): reports after the first event-loop turn."""
    shown_at: list[float] = []
    deadline = time.monotonic() + DIALOG_WAIT_S

    def dialogs() -> list[str]:
        return [
            widget.windowTitle()
            for widget in QApplication.topLevelWidgets()
            if isinstance(widget, QDialog) and widget.isVisible()
        ]

    def check() -> None:
        if not shown_at:
            shown_at.append(time.monotonic())  # the first turn: exposed and painted
        banner = window.error_banner
        waiting = file is not None and not dialogs() and not banner.isVisible()
        if waiting and time.monotonic() < deadline:
            QTimer.singleShot(50, check)
            return
        data = {
            "shown_at": shown_at[0],
            "title": window.windowTitle(),
            "file": file,
            "dialogs": dialogs(),
            "error": banner.label.text() if banner.isVisible() else None,
            "frozen": bool(getattr(sys, "frozen", False)),
        }
        # Whole or not at all: a watcher (the .deb test's `gio open`) polls for the file.
        partial = report.with_name(report.name + ".partial")
        partial.write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, report)
        # Not quit(): a dialog's own event loop would keep the process alive.
        os._exit(0)

    QTimer.singleShot(0, check)
