"""Starting the window: QApplication, single instance, crash dialog, then the core.

What is imported before the first window is shown is kept to Qt and the light
core modules; botocore is warmed up on a worker thread afterwards, and the
sandbox (moto) is started only with --sandbox, also after the window is up.
"""

import gc
import sys
import threading
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QFileOpenEvent, QIcon
from PySide6.QtWidgets import QApplication

from ssmclient import __version__
from ssmclient.core.paths import config_dir
from ssmclient.gui import accessibility, messages
from ssmclient.gui.crash import CrashReporter
from ssmclient.gui.main_window import MainWindow
from ssmclient.gui.single_instance import hand_over, server_name

OPEN = "OPEN "
SHOW = "SHOW"


def app_icon() -> QIcon:
    icon = QIcon()
    path = resources.files("ssmclient.gui").joinpath("icons/ssmclient.svg")
    if path.is_file():
        icon.addFile(str(path))
    return icon


class _FileOpenFilter(QObject):
    """macOS delivers a double-clicked file as a QFileOpenEvent, not in argv."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if isinstance(event, QFileOpenEvent) and event.file():
            self.window.import_file(event.file())
            return True
        return False


def warm_up() -> None:
    """Import botocore and parse its data (a second or so) while the user looks at the window."""
    import ssmclient.core.aws.inventory
    import ssmclient.core.aws.role_chain  # noqa: F401
    from ssmclient.core.aws.data_loader import warm_up as load_aws_data

    try:
        load_aws_data()
    except Exception:  # only a head start: a real failure is reported when it matters
        return
    settle_garbage_collector()


def settle_garbage_collector() -> None:
    """Keep the objects alive so far out of the cyclic GC's full collections.

    A full (generation 2) collection walks every tracked object while holding
    the GIL: with botocore's models and a listing of thousands of instances
    that is 100-200 ms during which the window cannot repaint (measured with
    benchmarks/bench_gui.py stall). Objects that live on (modules, models,
    the table's rows) are frozen; rows and instances hold no cycles, so a
    replaced listing is still freed by reference counting.
    """
    gc.freeze()


def _raise(window: MainWindow) -> None:
    window.show()
    window.raise_()
    window.activateWindow()


def make_app(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Hand the GIL to the GUI thread sooner while a worker parses a big listing
    # (Python's default is 5 ms per switch; a timer or a keystroke waits for it).
    sys.setswitchinterval(0.001)
    app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("ssmclient")
    # No application display name: Qt would append it to every dialog's title,
    # and the titles are a contract (gui.md: "Import profile", "MFA code", ...).
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("ssmclient")
    app.setWindowIcon(app_icon())
    accessibility.install()
    return app


def _channel_name() -> str | None:
    try:
        return server_name(config_dir())
    except OSError as exc:
        sys.stderr.write(f"ssmclient: warning: no single-instance channel ({exc})\n")
        return None


def _listen(name: str, window: MainWindow) -> None:
    """Take later launches' files (after the first window is up: QtNetwork loads here)."""
    from ssmclient.gui.instance_server import InstanceServer

    server = InstanceServer(name)
    if not server.listen():
        sys.stderr.write("ssmclient: warning: a second launch will open a second window\n")
        return
    server.setParent(window)  # lives, and closes, with the window

    def received(message: str) -> None:
        _raise(window)
        if message.startswith(OPEN):
            window.import_file(message[len(OPEN) :])

    server.message_received.connect(received)
    window.destroyed.connect(server.close)


def run_app(file: str | None, *, sandbox: bool) -> int:
    path = str(Path(file).expanduser().absolute()) if file else None
    name = None
    if not sandbox:
        # One window per config dir: a second launch hands its file over and exits
        # (before Qt is even started: on POSIX the channel is a plain Unix socket).
        name = _channel_name()
        if name is not None and hand_over(name, OPEN + path if path else SHOW):
            return 0
    app = make_app()
    crash = CrashReporter()
    window = MainWindow(
        title_suffix="sandbox (fake AWS on 127.0.0.1)" if sandbox else "", crash=crash
    )
    crash.window = window
    crash.install()
    app.installEventFilter(_FileOpenFilter(window))
    window.show()
    from ssmclient.gui import smoke_test

    smoke_report = smoke_test.requested()
    if smoke_report is not None:
        smoke_test.report_when_shown(window, smoke_report, file=path)
    if name is not None:
        QTimer.singleShot(0, lambda: _listen(name, window))
    if path:
        window.import_file(path)
    if sandbox:
        _start_sandbox(window)
    else:
        QTimer.singleShot(0, window.start)
    threading.Thread(target=warm_up, name="ssmclient-warm-up", daemon=True).start()
    return app.exec()


def _start_sandbox(window: MainWindow) -> None:
    from ssmclient.gui.sandbox_mode import RunningSandbox, enter, start_sandbox

    window.statusBar().showMessage("Starting the local AWS sandbox (a few seconds)…")
    window.progress_widget.show()

    def started(sandbox: RunningSandbox) -> None:
        window.progress_widget.hide()
        # Held by the window: the directory goes away with the object (and Qt
        # holds a connected bound method only weakly).
        window.sandbox = sandbox
        enter(sandbox)
        window.setWindowTitle(f"ssmclient — sandbox (fake AWS on {sandbox.endpoint_url})")
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(sandbox.stop)
        messages.bridge().info(
            "Sandbox ready: everything here is fake and goes away when you close the window. "
            "Import its sample profile to begin."
        )
        window.start()
        if not window.profile_model.rowCount():
            window.import_file(str(sandbox.profile_file))

    def failed(failure: object) -> None:
        window.progress_widget.hide()
        window.report_failure(failure)  # type: ignore[arg-type]

    window.runner.submit(start_sandbox, started, failed)


__all__ = ["make_app", "run_app", "warm_up"]
