"""How ssmclient runs itself again (the terminal helper, ssh's ProxyCommand)."""

import sys
from pathlib import Path

import pytest

from ssmclient.core.terminals.handoff import ssmclient_command


def test_from_source_it_is_this_python_with_the_module() -> None:
    command = ssmclient_command()
    assert command[0] == sys.executable
    assert command[-2:] == ["-m", "ssmclient"]


def test_frozen_it_is_the_executable_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/usr/lib/ssmclient/ssmclient")
    assert ssmclient_command() == [str(Path("/usr/lib/ssmclient/ssmclient"))]


def test_frozen_windowed_on_windows_it_is_the_console_twin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ssmclientw.exe has no console: a terminal window or ssh needs ssmclient.exe.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(sys, "executable", "/apps/ssmclient/ssmclientw.exe")
    assert ssmclient_command() == [str(Path("/apps/ssmclient/ssmclient.exe"))]
