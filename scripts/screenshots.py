"""Render every screen of the window against the sandbox into PNG files (docs/, or --out).

Run by hand, on a display (Xvfb is enough) or offscreen:
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [--out DIR]
        [--dark] [--instances 1000]
Each screen is rendered with QWidget.grab() (the window's own pixels, no
window-manager frame). QT_SCALE_FACTOR=2 renders them at 2x.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _wait(app: object, condition: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")


def _settle(app: object, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--dark", action="store_true", help="a dark palette (Fusion)")
    parser.add_argument("--instances", type=int, default=1000, help="for the large table")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from ssmclient.sandbox.client import Sandbox
    from ssmclient.sandbox.server import SandboxServer
    from ssmclient.sandbox.session_program import install_stand_in

    work = Path(tempfile.mkdtemp(prefix="ssmclient-shots-"))
    server = SandboxServer().start()
    sandbox = Sandbox(server.endpoint_url, server.control_token)
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update({k: v for k, v in sandbox.env().items() if k.startswith("AWS_")})
    os.environ["SSMCLIENT_CONFIG_DIR"] = str(work / "config")
    os.environ["SSMCLIENT_PLUGIN"] = str(install_stand_in(work / "bin"))
    os.environ["SSMCLIENT_AWS_READ_TIMEOUT"] = "120"
    terminal = work / "term"
    terminal.write_text('#!/bin/sh\n[ "$1" = "-e" ] && shift\nexec "$@" </dev/null\n')
    terminal.chmod(0o755)
    os.environ["TERMINAL"] = str(terminal)
    os.environ.setdefault("DISPLAY", ":0")
    import keyring

    from ssmclient.sandbox.keyring_backend import TOKEN_VARIABLE, URL_VARIABLE, SandboxKeyring

    os.environ[URL_VARIABLE] = server.endpoint_url
    os.environ[TOKEN_VARIABLE] = server.control_token
    keyring.set_keyring(SandboxKeyring())

    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QDialog, QStyleFactory, QWidget

    from ssmclient.gui.app import make_app, warm_up
    from ssmclient.gui.main_window import MainWindow

    app = make_app()
    if args.dark:
        app.setStyle(QStyleFactory.create("Fusion"))
        palette = QPalette()
        for role, colour in (
            (QPalette.ColorRole.Window, "#2b2b2b"),
            (QPalette.ColorRole.WindowText, "#e6e6e6"),
            (QPalette.ColorRole.Base, "#1e1e1e"),
            (QPalette.ColorRole.AlternateBase, "#262626"),
            (QPalette.ColorRole.Text, "#e6e6e6"),
            (QPalette.ColorRole.Button, "#353535"),
            (QPalette.ColorRole.ButtonText, "#e6e6e6"),
            (QPalette.ColorRole.Highlight, "#2f6fb3"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"),
            (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
            (QPalette.ColorRole.ToolTipBase, "#353535"),
            (QPalette.ColorRole.ToolTipText, "#e6e6e6"),
        ):
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
    warm_up()
    suffix = "-dark" if args.dark else ""
    window = MainWindow(title_suffix="sandbox (fake AWS on 127.0.0.1)")
    window.show()
    window.start()
    _wait(app, lambda: window.pages.currentIndex() == 0)
    _settle(app)

    def shot(widget: QWidget, name: str) -> None:
        _settle(app)
        path = args.out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        print(path)

    def dialog_of(kind: type) -> QDialog:
        found: list[QDialog] = []
        _wait(
            app,
            lambda: found.extend(d for d in window.findChildren(kind) if d.isVisible()) or found,
        )
        return found[0]

    shot(window, "01-empty-state")
    from ssmclient.gui.dialogs.import_dialog import ImportDialog
    from ssmclient.gui.dialogs.port_forward_dialog import PortForwardDialog
    from ssmclient.gui.dialogs.sign_in_dialog import SignInDialog

    window.import_file(str(sandbox.scenario.profile_file))
    importing = dialog_of(ImportDialog)
    shot(importing, "02-import-dialog")
    importing.import_button.click()  # type: ignore[attr-defined]
    signing = dialog_of(SignInDialog)
    shot(signing, "03-sign-in-method")
    done: list[bool] = []
    window.listing_finished.connect(lambda: done.append(True))
    signing.save.click()  # type: ignore[attr-defined]
    _wait(app, lambda: done)
    window.table.selectRow(0)
    shot(window, "04-instances")

    stopped = window.model.row_of(sandbox.scenario.instance_a_stopped)
    assert stopped is not None
    window.table.selectRow(window.proxy.mapFromSource(window.model.index(stopped, 0)).row())
    window.connect_button.click()
    _wait(app, lambda: window.error_banner.isVisible(), 60)
    shot(window, "05-error")
    window.error_banner.clear()

    window.table.selectRow(0)
    window.forward_button.click()
    forwarding = dialog_of(PortForwardDialog)
    forwarding.preset.setCurrentIndex(3)  # type: ignore[attr-defined]
    shot(forwarding, "06-port-forward-dialog")
    forwarding.start.click()  # type: ignore[attr-defined]
    _wait(app, lambda: window.forward_list.count() == 1, 60)
    window.search.setText("app")
    shot(window, "07-port-forwards-and-search")
    window.search.clear()

    window.open_doctor()
    from ssmclient.gui.dialogs.doctor_dialog import DoctorDialog

    doctor = dialog_of(DoctorDialog)
    _wait(app, lambda: doctor.checks, 60)  # type: ignore[attr-defined]
    shot(doctor, "08-doctor")
    doctor.close()

    window.connect_selected()
    _wait(app, lambda: "opened in a" in window.statusBar().currentMessage(), 60)
    window.open_history()
    from ssmclient.gui.dialogs.history_dialog import HistoryDialog

    history = dialog_of(HistoryDialog)
    _wait(app, lambda: history.model.rowCount() > 0, 30)  # type: ignore[attr-defined]
    shot(history, "09-history")
    history.close()

    window.open_settings()
    from ssmclient.gui.dialogs.settings_dialog import SettingsDialog

    settings = dialog_of(SettingsDialog)
    shot(settings, "10-settings")
    settings.reject()

    window.stop_selected_forward()
    sandbox.reseed(args.instances)  # a new sandbox: new keys for alice, old credentials gone
    os.environ.update({k: v for k, v in sandbox.env().items() if k.startswith("AWS_")})
    assert window.current is not None
    window.current.sign_out()
    done.clear()
    window.refresh()
    _wait(app, lambda: done, 300)
    shot(window, f"11-instances-{args.instances}")

    window.close()
    server.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
