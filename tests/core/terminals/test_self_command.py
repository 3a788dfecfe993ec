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


def _site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX interpreter layout")
@pytest.mark.parametrize("install", ["user site", "PYTHONPATH"])
def test_the_command_works_for_an_install_outside_a_venv_and_ignores_the_cwd(
    tmp_path: Path, install: str
) -> None:
    """`pip install --user` (or PYTHONPATH) installs: -I would drop both, and every
    connect in a new window would fail; a stray module in the cwd must still not load."""
    import os
    import subprocess

    import ssmclient

    base = Path(sys.base_prefix) / "bin" / "python3"
    if not base.exists():
        pytest.skip("no base interpreter beside this venv")
    source = str(Path(ssmclient.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    if install == "user site":
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        user_site = tmp_path / "userbase" / "lib" / version / "site-packages"
        user_site.mkdir(parents=True)
        (user_site / "ssmclient.pth").write_text(f"{source}\n{_site_packages()}\n")
        env["PYTHONUSERBASE"] = str(tmp_path / "userbase")
    else:
        env["PYTHONPATH"] = os.pathsep.join([source, _site_packages()])
    stray = tmp_path / "cwd" / "ssmclient"
    stray.mkdir(parents=True)
    (stray / "__init__.py").write_text("")
    (stray / "__main__.py").write_text("print('the stray module ran')\n")
    command = [str(base), *ssmclient_command()[1:], "--version"]
    result = subprocess.run(
        command, cwd=tmp_path / "cwd", env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ssmclient {ssmclient.__version__}"
