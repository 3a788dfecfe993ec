"""One launcher per terminal program, each with its own argv rules.

Every launcher builds an argv list; none builds a command string for a shell,
AppleScript or cmd.exe out of values from AWS or a profile file. On macOS the
one string Terminal.app runs is made only of ssmclient's own words (its
executable and the hand-off address), quoted with shlex, and it reaches
AppleScript as an argument, never as part of the script's source.
"""

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.text import one_line, quoted

ArgvRule = Callable[[str, Sequence[str]], list[str]]


def _dash_e(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, "-e", *command]


def _double_dash(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, "--", *command]


def _direct(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, *command]


def _xfce(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, "-x", *command]


def _wezterm(executable: str, command: Sequence[str]) -> list[str]:
    return [executable, "start", "--", *command]


def _xterm(executable: str, command: Sequence[str]) -> list[str]:
    # xterm treats a single word after -e as a shell command line; give it
    # the argv words separately (there are always two or more).
    if len(command) < 2:
        raise ValueError("xterm needs two or more words after -e")
    return [executable, "-e", *command]


def _windows_terminal(executable: str, command: Sequence[str]) -> list[str]:
    # wt splits its command line on ";" even inside an argument.
    return [
        executable,
        "-w",
        "new",
        "new-tab",
        "--",
        *(word.replace(";", "\\;") for word in command),
    ]


_APPLESCRIPT_TERMINAL = 'tell application "Terminal" to do script (item 1 of argv)'
_APPLESCRIPT_ITERM = (
    'tell application "iTerm" to create window with default profile command (item 1 of argv)'
)


def _osascript(statement: str) -> ArgvRule:
    def rule(executable: str, command: Sequence[str]) -> list[str]:
        return [
            executable,
            "-e",
            "on run argv",
            "-e",
            statement,
            "-e",
            "end run",
            "--",
            shlex.join(command),
        ]

    return rule


@dataclass(frozen=True)
class TerminalLauncher:
    name: str
    executable_names: tuple[str, ...]
    platform: str  # sys.platform prefix: "linux", "darwin", "win32"
    rule: ArgvRule
    new_console: bool = False  # Windows: the command itself gets a new console window

    def argv(self, executable: str, command: Sequence[str]) -> list[str]:
        return self.rule(executable, command)

    def find(self) -> str | None:
        for name in self.executable_names:
            found = shutil.which(name)
            if found:
                return found
        return None


LINUX = (
    TerminalLauncher("x-terminal-emulator", ("x-terminal-emulator",), "linux", _dash_e),
    TerminalLauncher("gnome-terminal", ("gnome-terminal",), "linux", _double_dash),
    TerminalLauncher("konsole", ("konsole",), "linux", _dash_e),
    TerminalLauncher("xfce4-terminal", ("xfce4-terminal",), "linux", _xfce),
    TerminalLauncher("kitty", ("kitty",), "linux", _direct),
    TerminalLauncher("alacritty", ("alacritty",), "linux", _dash_e),
    TerminalLauncher("wezterm", ("wezterm",), "linux", _wezterm),
    TerminalLauncher("foot", ("foot",), "linux", _direct),
    TerminalLauncher("xterm", ("xterm",), "linux", _xterm),
)
MACOS = (
    TerminalLauncher("Terminal", ("osascript",), "darwin", _osascript(_APPLESCRIPT_TERMINAL)),
    TerminalLauncher("iTerm2", ("osascript",), "darwin", _osascript(_APPLESCRIPT_ITERM)),
)
WINDOWS = (
    TerminalLauncher("wt", ("wt.exe", "wt"), "win32", _windows_terminal),
    TerminalLauncher("console", (), "win32", _direct, new_console=True),
)
ALL_LAUNCHERS = LINUX + MACOS + WINDOWS
_ALIASES = {
    "iterm": "iTerm2",
    "iterm2": "iTerm2",
    "terminal.app": "Terminal",
    "windows-terminal": "wt",
}


@dataclass(frozen=True)
class ChosenTerminal:
    launcher: TerminalLauncher
    executable: str

    def argv(self, command: Sequence[str]) -> list[str]:
        return self.launcher.argv(self.executable, command)


class TerminalMissingError(SsmClientError):
    pass


def _launchers_for(platform: str) -> tuple[TerminalLauncher, ...]:
    return tuple(launcher for launcher in ALL_LAUNCHERS if platform.startswith(launcher.platform))


def _from_terminal_variable(platform: str) -> ChosenTerminal | None:
    # $TERMINAL names the user's preferred emulator (a program name, not a
    # command line); it is run with the common "-e" convention.
    value = os.environ.get("TERMINAL")
    if not value or not platform.startswith("linux"):
        return None
    executable = shutil.which(value)
    if executable is None:
        return None
    known = next(
        (item for item in LINUX if os.path.basename(executable) in item.executable_names), None
    )
    launcher = known or TerminalLauncher("$TERMINAL", (value,), "linux", _dash_e)
    return ChosenTerminal(launcher, executable)


def choose_terminal(preference: str | None = None, platform: str = sys.platform) -> ChosenTerminal:
    """The terminal named by the user, or the first one installed here."""
    launchers = _launchers_for(platform)
    if preference and preference != "auto":
        wanted = _ALIASES.get(preference.lower(), preference)
        launcher = next((item for item in launchers if item.name.lower() == wanted.lower()), None)
        if launcher is None:
            names = ", ".join(item.name for item in launchers)
            raise InputError(
                f"--terminal: unknown terminal {quoted(preference, 40)} here (one of: {names})"
            )
        executable = _executable_for(launcher, platform)
        if executable is None:
            raise TerminalMissingError(f"terminal {launcher.name} is not installed")
        return ChosenTerminal(launcher, executable)
    chosen = _from_terminal_variable(platform)
    if chosen is not None:
        return chosen
    for launcher in launchers:
        executable = _executable_for(launcher, platform)
        if executable is not None:
            return ChosenTerminal(launcher, executable)
    names = ", ".join(item.name for item in launchers) or "none known for this system"
    raise TerminalMissingError(
        f"no terminal program found (looked for: {names}); install one, set $TERMINAL, "
        "or use --terminal inline"
    )


def _executable_for(launcher: TerminalLauncher, platform: str) -> str | None:
    if launcher.new_console:
        return sys.executable  # the command itself is started in a new console
    if launcher.name == "iTerm2" and not os.path.isdir("/Applications/iTerm.app"):
        return None
    return launcher.find()


def display_problem(platform: str = sys.platform) -> str | None:
    """Why no window can open here (Linux/BSD without a display), or None."""
    if platform.startswith(("win", "darwin")):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no display to open a terminal window on (DISPLAY and WAYLAND_DISPLAY are unset); "
        "use --terminal inline"
    )


class TerminalWindow:
    """A started terminal program; `failure()` says why it died, if it did with an error."""

    def __init__(self, name: str, process: "subprocess.Popen[bytes]", stderr: IO[bytes]) -> None:
        self.name = name
        self.process = process
        self._stderr = stderr

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def terminate(self) -> None:
        self.process.terminate()

    def failure(self) -> str | None:
        """A reason once the terminal has exited with an error status; None while it is fine.

        Exit status 0 is not a failure: gnome-terminal and others hand their
        command to a server process and exit at once.
        """
        status = self.process.poll()
        if status is None or status == 0:
            return None
        last = ""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            lines = [line for line in self._stderr.read(65536).splitlines() if line.strip()]
            if lines:
                last = one_line(lines[-1].decode("utf-8", "replace"), 200)
        detail = f": {last}" if last else ""
        return (
            f"the terminal {self.name} exited at once with status {status}{detail}; "
            "choose another terminal in the settings or use --terminal inline"
        )

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._stderr.close()


def open_window(terminal: ChosenTerminal, command: Sequence[str]) -> TerminalWindow:
    """Start the terminal with `command`; the caller hands secrets over separately."""
    if not terminal.launcher.new_console:
        problem = display_problem()
        if problem is not None:
            raise TerminalMissingError(problem)
    argv = list(command) if terminal.launcher.new_console else terminal.argv(command)
    # A neutral working directory: the window's programs must not pick up
    # files from wherever ssmclient happened to be started.
    home = os.path.expanduser("~")
    kwargs: dict[str, object] = {"cwd": home if os.path.isdir(home) else os.sep}
    if sys.platform.startswith("win"):
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_CONSOLE", 0)
    else:
        kwargs["start_new_session"] = True
    # The terminal's own complaints (no display, bad option) tell the user why
    # it failed; an anonymous file cannot fill up and block it like a pipe.
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - the window outlives this call
    try:
        process = subprocess.Popen(  # type: ignore[call-overload]
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            close_fds=True,
            **kwargs,
        )
    except OSError as exc:
        stderr.close()
        raise TerminalMissingError(
            f"terminal {terminal.launcher.name} could not be started: {exc.strerror or exc}"
        ) from None
    return TerminalWindow(terminal.launcher.name, process, stderr)
