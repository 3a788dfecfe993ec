"""One window per config dir: a second `ssmclient FILE` hands FILE over and exits."""

import os
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from ssmclient.core.paths import config_dir
from ssmclient.gui.instance_server import InstanceServer
from ssmclient.gui.main_window import MainWindow
from ssmclient.gui.single_instance import hand_over, server_name
from ssmclient.sandbox.client import Sandbox

from .conftest import WAIT_MS


def test_a_second_launch_hands_its_file_to_the_running_window(
    qtbot: QtBot, window: MainWindow, alice: Sandbox
) -> None:
    from ssmclient.gui import app as gui_app

    gui_app._listen(server_name(config_dir()), window)  # what run_app does once shown
    profile = alice.scenario.profile_file
    began = time.monotonic()
    second = subprocess.Popen(
        [sys.executable, "-m", "ssmclient", str(profile)],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS) as opened:
            qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT_MS)
        took = time.monotonic() - began
    finally:
        if second.poll() is None:
            second.kill()
        _, err = second.communicate(timeout=10)
    assert second.returncode == 0, err
    # gui.md: the second process exits 0 within a second (Python's start-up included).
    assert took < 3, took
    dialog = opened.args[0]
    assert dialog.imported.profile.name == "Sandbox Host (Third_Party_A)"
    dialog.reject()


def test_nobody_listening_means_no_hand_over(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path)
    assert hand_over(name, "SHOW") is False
    server = InstanceServer(name)
    assert server.listen()
    received: list[str] = []
    server.message_received.connect(received.append)
    # hand_over blocks (a second process would do it); here the event loop must run too.
    from PySide6.QtCore import QThread

    class Sender(QThread):
        result = False

        def run(self) -> None:
            self.result = hand_over(name, "OPEN /tmp/x.ssmprofile")

    sender = Sender()
    sender.start()
    qtbot.waitUntil(lambda: received == ["OPEN /tmp/x.ssmprofile"], timeout=WAIT_MS)
    sender.wait(5000)
    assert sender.result is True
    server.close()


def test_the_channel_lives_in_a_private_directory(tmp_path: Path) -> None:
    name = Path(server_name(tmp_path))
    mode = name.parent.stat().st_mode & 0o777
    assert mode == 0o700
    assert server_name(tmp_path) == str(name)
    assert server_name(tmp_path / "other") != str(name)
