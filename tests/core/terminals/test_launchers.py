"""Every launcher's argv, checked without running the terminal programs.

ssmclient never puts host-written text (instance names, tags) or AWS values
(session ids, URLs, tokens) into a terminal's argv: the window runs the
hand-off helper, which receives them over the private channel. These tests
build the real helper command for hostile payloads and check each launcher.
"""

import shlex
from pathlib import Path

import pytest

from ssmclient.core.terminals import launchers
from ssmclient.core.terminals.handoff import HandoffServer, build_payload
from ssmclient.core.terminals.launchers import (
    ALL_LAUNCHERS,
    TerminalMissingError,
    choose_terminal,
)


@pytest.mark.parametrize("launcher", ALL_LAUNCHERS, ids=lambda launcher: launcher.name)
def test_a_launcher_adds_only_its_own_fixed_words_around_the_helper_command(
    launcher: launchers.TerminalLauncher,
) -> None:
    # Host-written text (names, tags) and AWS values travel to the helper over the
    # private channel (test_handoff_helper.py shows what reaches the terminal); the
    # launcher is given only the helper's command, and adds nothing that depends on it.
    executable = "/usr/bin/" + (launcher.executable_names or ("python",))[0]
    first, second = (
        ["/py", "-P", "-m", "ssmclient", "__session-handoff", a, "ab" * 32] for a in ("/a", "/b")
    )
    argv_first, argv_second = launcher.argv(executable, first), launcher.argv(executable, second)
    assert all(isinstance(word, str) for word in argv_first)
    changed = [n for n, (x, y) in enumerate(zip(argv_first, argv_second, strict=True)) if x != y]
    assert len(changed) == 1  # only the channel's address differs
    words = "\0".join(argv_first)
    assert all(word in words for word in first[1:])


def test_helper_command_is_ssmclient_and_the_address() -> None:
    server = HandoffServer(build_payload(["/p"], {}, [], "t", "b"))
    try:
        command = server.helper_command()
        # -P: the current directory is not on the helper's sys.path.
        assert command[1:4] == ["-P", "-m", "ssmclient"]
        assert command[-3] == "__session-handoff"
        assert command[-2] == server.address
        assert len(bytes.fromhex(command[-1])) == 32
        assert Path(server.address).parent.stat().st_mode & 0o077 == 0
    finally:
        server.close()
    assert not Path(server.address).parent.exists()


COMMAND = [
    "/opt/ssmclient/bin/python",
    "-m",
    "ssmclient",
    "__session-handoff",
    "/tmp/x;y/handoff",
    "ab" * 32,
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gnome-terminal", ["/t", "--", *COMMAND]),
        ("konsole", ["/t", "-e", *COMMAND]),
        ("xfce4-terminal", ["/t", "-x", *COMMAND]),
        ("kitty", ["/t", *COMMAND]),
        ("alacritty", ["/t", "-e", *COMMAND]),
        ("wezterm", ["/t", "start", "--", *COMMAND]),
        ("foot", ["/t", *COMMAND]),
        ("xterm", ["/t", "-e", *COMMAND]),
        ("x-terminal-emulator", ["/t", "-e", *COMMAND]),
    ],
)
def test_linux_argv_rules(name: str, expected: list[str]) -> None:
    launcher = next(item for item in ALL_LAUNCHERS if item.name == name)
    assert launcher.argv("/t", COMMAND) == expected


def test_windows_terminal_escapes_semicolons() -> None:
    launcher = next(item for item in ALL_LAUNCHERS if item.name == "wt")
    argv = launcher.argv("wt.exe", COMMAND)
    assert argv[:5] == ["wt.exe", "-w", "new", "new-tab", "--"]
    assert "/tmp/x\\;y/handoff" in argv
    assert not any(";" in word.replace("\\;", "") for word in argv)


@pytest.mark.parametrize("name", ["Terminal", "iTerm2"])
def test_macos_values_reach_applescript_only_as_an_argument(name: str) -> None:
    launcher = next(item for item in ALL_LAUNCHERS if item.name == name)
    argv = launcher.argv("/usr/bin/osascript", COMMAND)
    separator = argv.index("--")
    script = argv[1:separator]
    assert script[0::2] == ["-e", "-e", "-e"]
    assert script[1] == "on run argv"
    assert "(item 1 of argv)" in script[3]
    assert script[5] == "end run"
    assert "ssmclient" not in "".join(script)
    [shell_command] = argv[separator + 1 :]
    assert shlex.split(shell_command) == COMMAND


def test_xterm_needs_two_words() -> None:
    launcher = next(item for item in ALL_LAUNCHERS if item.name == "xterm")
    with pytest.raises(ValueError, match="two or more"):
        launcher.argv("xterm", ["one"])


def test_choose_by_name_and_alias(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "xterm"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("TERMINAL", raising=False)
    assert choose_terminal("xterm", "linux").executable == str(fake)
    assert choose_terminal("auto", "linux").launcher.name == "xterm"
    with pytest.raises(TerminalMissingError):
        choose_terminal("konsole", "linux")
    with pytest.raises(Exception, match="unknown terminal"):
        choose_terminal("notaterminal", "linux")


def test_terminal_variable_is_a_program_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "myterm"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("TERMINAL", "myterm")
    chosen = choose_terminal(None, "linux")
    assert chosen.argv(["a", "b"]) == [str(fake), "-e", "a", "b"]
