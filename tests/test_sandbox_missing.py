"""Where the sandbox is not installed (the installers leave it out), one line says what to do."""

import builtins
import sys
from collections.abc import Callable
from typing import Any

import pytest

from ssmclient.cli.main import main


def _is_sandbox(name: str) -> bool:
    return name == "ssmclient.sandbox" or name.startswith("ssmclient.sandbox.")


@pytest.fixture
def without_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports of ssmclient.sandbox fail, as in a build that leaves it out."""
    real_import: Callable[..., Any] = builtins.__import__

    def refusing(name: str, *args: Any, **kwargs: Any) -> Any:
        if _is_sandbox(name):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    for name in list(sys.modules):
        if _is_sandbox(name):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(builtins, "__import__", refusing)


@pytest.mark.usefixtures("without_sandbox")
def test_installed_app_says_how_to_try_it_from_source(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert main(["sandbox"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "not part of the installed app" in err
    assert "./scripts/run.sh --sandbox" in err
    assert "Traceback" not in err
    assert "internal error" not in err


@pytest.mark.usefixtures("without_sandbox")
def test_source_install_without_the_extra_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "[sandbox] extra" in err


@pytest.mark.usefixtures("without_sandbox")
def test_the_window_gets_the_same_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from ssmclient.core.errors import SsmClientError
    from ssmclient.gui.sandbox_mode import start_sandbox

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(SsmClientError, match="not part of the installed app"):
        start_sandbox()
