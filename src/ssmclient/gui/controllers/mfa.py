"""Asking for an MFA code from a worker thread: the dialog runs on the GUI thread.

The role chain calls its `mfa_prompt` in the middle of an AssumeRole, on the
worker thread. The asker posts the question to the GUI thread and waits for
the dialog's answer; Cancel (or closing the app) ends the wait with a clear
error instead of leaving the worker blocked.
"""

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from ssmclient.core.errors import InputError

_WAIT_SECONDS = 300.0


class _Question:
    def __init__(self, serial: str) -> None:
        self.serial = serial
        self.answer: str | None = None
        self.answered = threading.Event()


class MfaAsker(QObject):
    _asked = Signal(object)

    def __init__(self, show_dialog: Callable[[str, Callable[[str | None], None]], None]) -> None:
        super().__init__()
        self._show_dialog = show_dialog
        self._open: set[_Question] = set()
        self._closed = False
        self._asked.connect(self._on_asked, Qt.ConnectionType.QueuedConnection)

    def __call__(self, serial: str) -> str:
        """The code for `serial`; called from a worker thread (never the GUI thread)."""
        if self._closed:
            raise InputError("MFA code: the window is closing")
        question = _Question(serial)
        self._open.add(question)
        try:
            self._asked.emit(question)
            if not question.answered.wait(_WAIT_SECONDS):
                raise InputError("MFA code: no code was entered within 5 minutes")
        finally:
            self._open.discard(question)
        if question.answer is None:
            raise InputError("MFA code: cancelled; sign in again to enter a code")
        return question.answer

    def _on_asked(self, question: object) -> None:
        assert isinstance(question, _Question)

        def reply(code: str | None) -> None:
            question.answer = code
            question.answered.set()

        self._show_dialog(question.serial, reply)

    def close(self) -> None:
        """Answer every open question with Cancel (the app is closing)."""
        self._closed = True
        for question in list(self._open):
            question.answered.set()
