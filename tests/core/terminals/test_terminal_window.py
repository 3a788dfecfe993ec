"""A terminal window that cannot open: no display, a terminal that dies, a hand-off cut short.

The "terminals" here are small /bin/sh scripts, so each failure is exact and fast.
"""

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ssmclient.core.terminals.handoff import HandoffError, HandoffServer, build_payload
from ssmclient.core.terminals.launchers import (
    ChosenTerminal,
    TerminalLauncher,
    TerminalMissingError,
    TerminalWindow,
    display_problem,
    open_window,
)

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX shell scripts")

DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY")


def _direct(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, *command]


def script_terminal(directory: Path, body: str, name: str = "test-term") -> ChosenTerminal:
    """A terminal program that is a shell script (it gets the command as "$@")."""
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return ChosenTerminal(TerminalLauncher(name, (name,), "linux", _direct), str(path))


def wait_for(check: Callable[[], str | None], seconds: float) -> str | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value is not None:
            return value
        time.sleep(0.02)
    return check()


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DISPLAY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def windows() -> Iterator[list[TerminalWindow]]:
    """Every window a test opens is ended and closed afterwards."""
    opened: list[TerminalWindow] = []
    yield opened
    for window in opened:
        if window.poll() is None:
            window.terminate()
            window.process.wait(5)
        window.close()


@pytest.fixture
def server() -> Iterator[HandoffServer]:
    handoff = HandoffServer(build_payload(["/bin/true"], {"SECRET": "s3cret"}, [], "t", "b"))
    yield handoff
    handoff.close()


# -- display_problem ----------------------------------------------------------------


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_no_display_is_needed_on_windows_and_macos(no_display: None, platform: str) -> None:
    assert display_problem(platform) is None


@pytest.mark.parametrize(("name", "value"), [("DISPLAY", ":0"), ("WAYLAND_DISPLAY", "wayland-0")])
@pytest.mark.parametrize("platform", ["linux", "freebsd14"])
def test_either_display_variable_is_enough(
    no_display: None, monkeypatch: pytest.MonkeyPatch, platform: str, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert display_problem(platform) is None


@pytest.mark.parametrize("platform", ["linux", "freebsd14", "openbsd7"])
def test_without_a_display_the_problem_names_both_variables(
    no_display: None, platform: str
) -> None:
    problem = display_problem(platform)
    assert problem is not None
    assert "DISPLAY" in problem.replace("WAYLAND_DISPLAY", "")
    assert "WAYLAND_DISPLAY" in problem
    assert "--terminal inline" in problem


def test_empty_display_variables_are_no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in DISPLAY_VARIABLES:
        monkeypatch.setenv(name, "")
    assert display_problem("linux") is not None


def test_the_default_platform_is_this_one(no_display: None) -> None:
    assert display_problem() == display_problem(sys.platform)


# -- open_window and TerminalWindow.failure -------------------------------------------


def test_open_window_without_a_display_runs_nothing(no_display: None, tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    terminal = script_terminal(tmp_path, f"touch {ran}\n")
    with pytest.raises(TerminalMissingError) as info:
        open_window(terminal, ["/bin/true", "x"])
    assert info.value.message == display_problem("linux")
    time.sleep(0.2)
    assert not ran.exists()


def test_a_new_console_launcher_needs_no_display(
    no_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    # Windows' "console" launcher runs the command itself in a new console.
    launcher = TerminalLauncher("console", (), "linux", _direct, new_console=True)
    window = open_window(ChosenTerminal(launcher, sys.executable), ["/bin/sh", "-c", "exit 0"])
    windows.append(window)
    assert window.process.wait(5) == 0


def test_a_terminal_that_dies_says_its_status_and_complaint(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    terminal = script_terminal(
        tmp_path, "echo 'starting up' >&2\necho 'cannot open display: :99' >&2\nexit 3\n"
    )
    started = time.monotonic()
    window = open_window(terminal, ["/bin/true", "x"])
    windows.append(window)
    failure = wait_for(window.failure, 2)
    assert time.monotonic() - started < 2
    assert failure is not None
    assert "status 3" in failure
    assert "cannot open display: :99" in failure
    assert "starting up" not in failure  # the last line says why
    assert "test-term" in failure
    assert "--terminal inline" in failure
    assert window.name == "test-term"
    assert window.pid == window.process.pid


def test_a_terminal_that_dies_without_a_word(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    window = open_window(script_terminal(tmp_path, "exit 7\n"), ["/bin/true", "x"])
    windows.append(window)
    failure = wait_for(window.failure, 2)
    assert failure is not None
    assert "status 7;" in failure


def test_the_complaint_is_one_safe_line(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    body = "printf 'bad \\033]0;title\\007 option\\r\\n\\n   \\n' >&2\nexit 2\n"
    window = open_window(script_terminal(tmp_path, body), ["/bin/true", "x"])
    windows.append(window)
    failure = wait_for(window.failure, 2)
    assert failure is not None
    assert "\x1b" not in failure
    assert "\x07" not in failure
    assert "\n" not in failure
    assert "bad \\x1b]0;title\\x07 option" in failure


def test_exit_status_zero_is_not_a_failure(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    # gnome-terminal hands its command to a server process and exits 0 at once.
    terminal = script_terminal(tmp_path, "echo 'handed to the server' >&2\nexit 0\n")
    window = open_window(terminal, ["/bin/true", "x"])
    windows.append(window)
    assert window.process.wait(5) == 0
    assert window.failure() is None


def test_a_running_terminal_is_not_a_failure(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    window = open_window(script_terminal(tmp_path, "exec sleep 30\n"), ["/bin/true", "x"])
    windows.append(window)
    time.sleep(0.2)
    assert window.poll() is None
    assert window.failure() is None


def test_the_terminal_gets_the_command_as_words(
    a_display: None, tmp_path: Path, windows: list[TerminalWindow]
) -> None:
    out = tmp_path / "argv"
    terminal = script_terminal(tmp_path, f'for word in "$@"; do echo "$word"; done > {out}\n')
    window = open_window(terminal, ["/bin/true", "two words", "$(x);y"])
    windows.append(window)
    assert window.process.wait(5) == 0
    assert out.read_text().splitlines() == ["/bin/true", "two words", "$(x);y"]


def test_a_terminal_that_cannot_start(a_display: None, tmp_path: Path) -> None:
    launcher = TerminalLauncher("gone", ("gone",), "linux", _direct)
    with pytest.raises(TerminalMissingError, match=r"^terminal gone could not be started: "):
        open_window(ChosenTerminal(launcher, str(tmp_path / "gone")), ["/bin/true", "x"])


# -- HandoffServer.serve(window_failed=...) --------------------------------------------


def test_serve_ends_at_once_when_the_window_failed(server: HandoffServer) -> None:
    started = time.monotonic()
    calls: list[float] = []

    def window_failed() -> str | None:
        calls.append(time.monotonic())
        if time.monotonic() - started < 0.3:
            return None
        return "the terminal test-term exited at once with status 3: no display"

    with pytest.raises(HandoffError) as info:
        server.serve(30, window_failed=window_failed)
    elapsed = time.monotonic() - started
    assert elapsed < 3
    assert info.value.message == "the terminal test-term exited at once with status 3: no display"
    assert len(calls) >= 2  # polled while waiting, not once
    assert not Path(server.address).parent.exists()  # the channel is gone


def test_serve_without_a_failure_waits_for_the_deadline(server: HandoffServer) -> None:
    calls = []

    def window_failed() -> None:
        calls.append(1)

    started = time.monotonic()
    with pytest.raises(HandoffError, match="did not start the session within 1 s"):
        server.serve(1, window_failed=window_failed)
    assert 0.9 <= time.monotonic() - started < 5
    assert calls


def test_serve_with_a_real_terminal_that_dies(
    a_display: None, tmp_path: Path, server: HandoffServer, windows: list[TerminalWindow]
) -> None:
    terminal = script_terminal(tmp_path, "echo 'unknown option -e' >&2\nexit 3\n")
    window = open_window(terminal, server.helper_command())
    windows.append(window)
    started = time.monotonic()
    with pytest.raises(HandoffError) as info:
        server.serve(30, window_failed=window.failure)
    assert time.monotonic() - started < 3
    assert "status 3" in info.value.message
    assert "unknown option -e" in info.value.message


def test_serve_succeeds_when_a_terminal_hands_off_and_exits_zero(
    a_display: None, tmp_path: Path, server: HandoffServer, windows: list[TerminalWindow]
) -> None:
    # Like gnome-terminal: the command runs elsewhere and the launcher exits 0 at once.
    helper_log = tmp_path / "helper-stderr"
    terminal = script_terminal(tmp_path, f'"$@" </dev/null >/dev/null 2>{helper_log} &\nexit 0\n')
    window = open_window(terminal, server.helper_command())
    windows.append(window)
    try:
        server.serve(15, window_failed=window.failure)  # the helper became /bin/true
    except HandoffError as exc:
        log = helper_log.read_text() if helper_log.exists() else ""
        pytest.fail(f"{exc.message}; the helper said: {log!r}")
    assert window.failure() is None
