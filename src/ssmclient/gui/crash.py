"""The last line of defence: an unexpected exception opens a dialog, the app goes on.

`sys.excepthook` catches what escapes a Qt slot on the GUI thread (PySide6
hands it there and returns to the event loop); `threading.excepthook` what
escapes a worker thread, shown on the GUI thread. Workers of ours report
their own failures (workers.Failure); this is for bugs.
"""

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ssmclient import __version__


class CrashReporter(QObject):
    _crashed = Signal(str, str)

    def __init__(self, parent_window: QWidget | None = None) -> None:
        super().__init__()
        self.window = parent_window
        self.shown = 0
        self._crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def report(self, summary: str, details: str) -> None:
        """Show a crash dialog (from any thread)."""
        self._crashed.emit(summary, details)

    def _excepthook(
        self,
        kind: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        self.report(f"{kind.__name__}: {value}", details)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        details = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        )
        self.report(f"{args.exc_type.__name__}: {args.exc_value}", details)

    def _show(self, summary: str, details: str) -> None:
        self.shown += 1
        sys.stderr.write(details)
        logging.getLogger("ssmclient.gui").error("internal error: %s\n%s", summary, details)
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("ssmclient: internal error")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            "ssmclient hit an internal error; the window goes on working.\n"
            f"{summary[:300]}\n\nPlease send the details to your ssmclient contact "
            f"(version {__version__}); they hold no secrets."
        )
        box.setDetailedText(details)
        box.setAccessibleName("Internal error")
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.open()
