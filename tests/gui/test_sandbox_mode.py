"""`ssmclient --sandbox`: the window on the sandbox, with its own store and keyring."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from ssmclient.gui import app as gui_app
from ssmclient.gui import sandbox_mode
from ssmclient.gui.main_window import MainWindow
from ssmclient.sandbox.cli import throwaway_environment
from ssmclient.sandbox.server import SandboxServer

from .conftest import WAIT_MS


@pytest.fixture
def saved_environment() -> Iterator[None]:
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_sandbox_window_imports_the_sample_profile(
    qtbot: QtBot,
    aws_sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    saved_environment: None,
) -> None:
    # This process already runs a sandbox (moto is global): the window gets that one.
    work = tempfile.TemporaryDirectory(prefix="ssmclient-sandbox-test-")
    environment = throwaway_environment(aws_sandbox_server, Path(work.name))
    running = sandbox_mode.RunningSandbox(
        aws_sandbox_server,
        work,
        environment,
        aws_sandbox_server.scenario.profile_file,
        aws_sandbox_server.endpoint_url,
    )
    running.stop = work.cleanup  # type: ignore[method-assign]  # the fixture stops the server
    monkeypatch.setattr(sandbox_mode, "start_sandbox", lambda: running)
    monkeypatch.setenv("AWS_PROFILE", "someone-real")  # must not survive into the sandbox
    window = MainWindow(title_suffix="sandbox (fake AWS on 127.0.0.1)")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.import_dialog_opened, timeout=WAIT_MS) as opened:
        gui_app._start_sandbox(window)
    assert "sandbox (fake AWS on http://127.0.0.1:" in window.windowTitle()
    assert os.environ["SSMCLIENT_CONFIG_DIR"] == environment["SSMCLIENT_CONFIG_DIR"]
    assert "AWS_PROFILE" not in os.environ
    assert os.environ["PYTHON_KEYRING_BACKEND"].endswith("SandboxKeyring")
    dialog = opened.args[0]
    assert dialog.imported.profile.name == "Sandbox Host (Third_Party_A)"
    dialog.reject()
    window.close()
    work.cleanup()
