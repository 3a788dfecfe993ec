"""Every launcher's argv, checked without running the terminal programs.

ssmclient never puts host-written text (instance names, tags) or AWS values
(session ids, URLs, tokens) into a terminal's argv: the window runs the
hand-off helper, which receives them over the private channel. These tests
build the real helper command for hostile payloads and check each launcher.
"""

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssmclient.core.terminals import launchers
from ssmclient.core.terminals.handoff import HandoffServer, build_payload
from ssmclient.core.terminals.launchers import (
    ALL_LAUNCHERS,
    TerminalMissingError,
    choose_terminal,
)

HOSTILE = [
    "name'with\"quotes",
    "semi;colon",
    "amp&ersand",
    "pi|pe",
    "back`tick`",
    "$(touch /tmp/pwned)",
    "line\nbreak",
    '" & do shell script "touch /tmp/pwned" & "',
    "%PATH%",
    "x" * 10_000,
    "rtl\u202eevil\u200f",
]


@pytest.fixture(params=HOSTILE, ids=range(len(HOSTILE)))
def hostile_server(request: pytest.FixtureRequest) -> Iterator[HandoffServer]:
    text: str = request.param
    payload = build_payload(
        ["/usr/bin/session-manager-plugin", "AWS_SSM_START_SESSION_RESPONSE"],
        {"AWS_SSM_START_SESSION_RESPONSE": text, "AWS_SESSION_TOKEN": "token-" + text},
        ["AWS_PROFILE"],
        title=f"Party — {text} (i-0123456789abcdef0)",
        banner=text,
    )
    server = HandoffServer(payload)
    yield server
    server.close()


@pytest.mark.parametrize("launcher", ALL_LAUNCHERS, ids=lambda launcher: launcher.name)
def test_no_hostile_value_reaches_any_argv(
    hostile_server: HandoffServer, launcher: launchers.TerminalLauncher
) -> None:
    command = hostile_server.helper_command()
    argv = launcher.argv(
        "/usr/bin/" + launcher.executable_names[0] if launcher.executable_names else "python",
        command,
    )
    assert all(isinstance(word, str) for word in argv)
    for text in HOSTILE:
        for word in argv:
            assert text not in word
            assert "token-" not in word
    joined = "\0".join(argv)
    for fragment in ("$(", "`", "\n", "\u202e", "%PATH%"):
        assert fragment not in joined


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
