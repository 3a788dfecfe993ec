"""Background work: each blocking call of the core runs as a small QRunnable.

A QRunnable cannot emit signals, so each task carries a small QObject that
does. The QObject is made on the GUI thread, so its signals reach their
receivers there (queued): a result is always handled on the GUI thread.
"""

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from ssmclient.core.errors import user_message

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """A task's failure: the one-line message for the user, and details for a bug."""

    message: str
    internal: bool  # True: a bug in ssmclient, `details` holds the traceback
    details: str = ""
    exception: BaseException | None = None


def failure_of(exc: BaseException) -> Failure:
    message = user_message(exc)
    if message is not None:
        return Failure(message, internal=False, exception=exc)
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Failure(
        f"internal error: {type(exc).__name__}: {exc}",
        internal=True,
        details=details,
        exception=exc,
    )


class _TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable, Generic[T]):
    def __init__(self, work: Callable[[], T]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it, until its result is delivered
        self.signals = _TaskSignals()
        self._work = work

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as exc:  # reported, never lost in a worker thread
            self._deliver(self.signals.failed, failure_of(exc))
            return
        self._deliver(self.signals.done, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            # The window that asked has been closed (its Qt objects deleted) while
            # this ran: there is nobody left to tell.
            return


class TaskRunner:
    """Submits tasks to a pool and keeps each alive until its answer is on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None) -> None:
        self.pool = pool or QThreadPool.globalInstance()
        self._live: set[Task[Any]] = set()
        self._closed = False

    def submit(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_failed: Callable[[Failure], None],
    ) -> Task[T]:
        task: Task[T] = Task(work)

        def done(result: object) -> None:
            self._live.discard(task)
            if not self._closed:
                on_done(result)  # type: ignore[arg-type]

        def failed(failure: object) -> None:
            self._live.discard(task)
            assert isinstance(failure, Failure)
            if not self._closed:
                on_failed(failure)

        # Queued: the callbacks run on the GUI thread, where the signals object lives.
        task.signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
        task.signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
        self._live.add(task)
        self.pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._live)

    def wait(self, msecs: int) -> bool:
        return self.pool.waitForDone(msecs)

    def close(self) -> None:
        """Answers that arrive from now on are dropped (their window is going away)."""
        self._closed = True


def serial_runner() -> TaskRunner:
    """A runner whose tasks run one at a time, in order, on one thread.

    botocore sessions (inside a RoleChain) are not thread-safe: each signed-in
    profile has one of these, so its chain is only ever used from one thread.
    """
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return TaskRunner(pool)
