"""The hand-off helper in a real pseudo-terminal: host-written text in the window's title and
banner reaches the terminal only as inert, visible text, then the plugin runs."""

import os
import pty
import select
import subprocess
import threading
import time
from pathlib import Path

import pytest

from ssmclient.core.terminals.handoff import HandoffServer, build_payload

ESC, BEL = "\x1b", "\x07"
# Instance names and tags are the host's: escape sequences (a new title, a cleared
# screen, cursor moves, a bell, an OSC 52 clipboard write), bidi overrides, stacked
# combining marks, and a value of 100 KB.
HOSTILE = [
    f"{ESC}]0;owned{BEL}",
    f"{ESC}[2J{ESC}[H",
    f"{ESC}]52;c;cm0gLXJmIH4={BEL}",
    f"bell{BEL}{BEL}",
    "rtl\u202eevil\u2066x\u2069",
    "e" + "\u0301" * 40,
    "x" * 100_000,
    f"{ESC}P+q544e{ESC}\\",
]


def run_helper_in_a_pty(tmp_path: Path, title: str, banner: str) -> str:
    plugin = tmp_path / "session-manager-plugin"
    plugin.write_text("#!/bin/sh\necho PLUGIN-RAN\n", encoding="utf-8")
    plugin.chmod(0o755)
    server = HandoffServer(build_payload([str(plugin)], {}, [], title, banner))
    serving = threading.Thread(target=server.serve, args=(30,), daemon=True)
    serving.start()
    master, slave = pty.openpty()
    helper = subprocess.Popen(
        server.helper_command(), stdin=slave, stdout=slave, stderr=slave, close_fds=True
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child side closed
                break
            if not data:
                break
            chunks.append(data)
        elif helper.poll() is not None:
            break
    helper.wait(timeout=30)
    os.close(master)
    serving.join(10)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_title_and_banner_are_inert_text(tmp_path: Path, text: str) -> None:
    shown = run_helper_in_a_pty(tmp_path, f"Party — {text} (i-0123456789abcdef0)", f"banner {text}")
    assert "PLUGIN-RAN" in shown
    # Exactly one escape sequence reaches the terminal: ssmclient's own title, whole.
    assert shown.count(ESC) == 1
    assert shown.count(BEL) == 1
    start = shown.index(f"{ESC}]0;")
    title = shown[start + 4 : shown.index(BEL)]
    assert title.startswith("Party — ")
    assert len(title) <= 200
    for forbidden in ("\u202e", "\u2066", "\u2069", "\x9b", "\x9d"):
        assert forbidden not in shown
    banner = shown[shown.index(BEL) + 1 :]
    assert "banner " in banner
    assert "\u0301" * 4 not in shown


def fake_helper(server: HandoffServer, *then: bytes | None) -> threading.Thread:
    """A helper that takes the payload, then says each of `then` (None: hangs up)."""
    from multiprocessing.connection import Client

    command = server.helper_command()

    def act() -> None:
        with Client(server.address, family="AF_UNIX", authkey=bytes.fromhex(command[-1])) as c:
            c.recv_bytes()
            for message in then:
                if message is None:
                    return
                c.send_bytes(message)

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        ((None,), "ended before the plugin ran"),  # the window closed, a crash
        ((b"started", b"exec failed: Permission denied"), "exec failed: Permission denied"),
        ((b"the plugin is not an executable file",), "not an executable file"),
    ],
)
def test_a_helper_that_did_not_exec_the_plugin_is_a_failure(
    then: tuple[bytes | None, ...], expected: str
) -> None:
    from ssmclient.core.terminals.handoff import HandoffError

    server = HandoffServer(build_payload(["/p"], {}, [], "t", "b"))
    helper = fake_helper(server, *then)
    with pytest.raises(HandoffError, match=expected):
        server.serve(10)
    helper.join(5)


def test_started_then_end_of_file_is_the_plugin_running() -> None:
    server = HandoffServer(build_payload(["/p"], {}, [], "t", "b"))
    helper = fake_helper(server, b"started", None)
    server.serve(10)  # no error
    helper.join(5)
