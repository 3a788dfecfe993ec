"""The one bridge from any failure to the window's `Error` banner (and the status bar).

Controllers and dialogs call `error(...)`/`info(...)`; the main window shows
them. Messages are the core's one-line texts, which already name the step
(`hop 2 (arn:...)`, `listing (us-east-1)`) and end with the hint.
"""

from PySide6.QtCore import QObject, Signal

from ssmclient.core.text import one_line


class MessageBridge(QObject):
    error_raised = Signal(str)
    error_cleared = Signal()
    info_posted = Signal(str)

    def error(self, message: str) -> None:
        self.error_raised.emit(one_line(message))

    def clear_error(self) -> None:
        self.error_cleared.emit()

    def info(self, message: str) -> None:
        self.info_posted.emit(one_line(message))


_bridge: MessageBridge | None = None


def bridge() -> MessageBridge:
    """The application's bridge (made on first use, on the GUI thread)."""
    global _bridge
    if _bridge is None:
        _bridge = MessageBridge()
    return _bridge
