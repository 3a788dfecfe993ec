"""Handing a session's secrets to the plugin in a new terminal window.

Terminals such as gnome-terminal start their command in a server process, so
the caller's environment does not reach it; and argv is readable by every
local user. So the window runs a small ssmclient helper instead of the plugin.
The helper connects back over a private local channel, gets the plugin's argv
and environment, and replaces itself with the plugin (exec). Nothing is
written to disk and no secret is in any argv.

The channel is multiprocessing.connection: a Unix socket inside a fresh 0700
directory (a named pipe on Windows), with its HMAC challenge on a one-time
32-byte key. The key is in the helper's argv; on POSIX that is harmless
because no other user can reach the socket, and the peer's uid is checked on
Linux too. Messages are JSON bytes (send_bytes), never pickles. The server
accepts one connection, then closes and removes the channel.
"""

import contextlib
import json
import os
import secrets
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path

from ssmclient.core.errors import SsmClientError
from ssmclient.core.text import escape_unsafe, one_line

HANDOFF_COMMAND = "__session-handoff"
STARTED = "started"


def ssmclient_command() -> list[str]:
    """How to run this ssmclient again: the frozen executable, or this Python with -m."""
    if getattr(sys, "frozen", False):
        # On Windows the installer's shortcuts start the windowed ssmclientw.exe,
        # which has no console to give a terminal window or ssh; its console
        # twin ssmclient.exe sits beside it (packaging/ssmclient.spec).
        executable = Path(sys.executable)
        if sys.platform == "win32" and executable.name.lower() == "ssmclientw.exe":
            return [str(executable.with_name("ssmclient.exe"))]
        return [str(executable)]
    # -P (Python 3.11+): without it, -m puts the current directory first on
    # sys.path, and a stray secrets.py there would run inside the process that
    # receives the session's credentials. Not -I: isolated mode also drops the
    # user site-packages and PYTHONPATH, where `pip install --user` puts ssmclient.
    return [sys.executable, "-P", "-m", "ssmclient"]


@dataclass(frozen=True)
class HandoffPayload:
    argv: list[str]
    env_set: dict[str, str] = field(repr=False)
    env_unset: list[str]
    title: str
    banner: str

    def to_bytes(self) -> bytes:
        return json.dumps(
            {
                "argv": self.argv,
                "env_set": self.env_set,
                "env_unset": self.env_unset,
                "title": self.title,
                "banner": self.banner,
            }
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "HandoffPayload":
        raw = json.loads(data.decode("utf-8"))
        argv = raw["argv"]
        env_set = raw["env_set"]
        env_unset = raw["env_unset"]
        if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv) and argv):
            raise ValueError("bad argv")
        if not isinstance(env_set, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env_set.items()
        ):
            raise ValueError("bad environment")
        if not isinstance(env_unset, list) or not all(isinstance(k, str) for k in env_unset):
            raise ValueError("bad environment")
        return cls(argv, env_set, env_unset, str(raw["title"]), str(raw["banner"]))


class HandoffError(SsmClientError):
    pass


def peer_uid(connection: Connection) -> int | None:
    """The uid of the process at the other end of a Unix socket (None where unknown)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    sock = socket.socket(fileno=os.dup(connection.fileno()))
    try:
        data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    finally:
        sock.close()
    _pid, uid, _gid = struct.unpack("3i", data)
    return int(uid)


class HandoffServer:
    """Serves one payload to one helper, then goes away."""

    def __init__(self, payload: HandoffPayload) -> None:
        self._payload = payload
        self._authkey = secrets.token_bytes(32)
        self._directory: str | None = None
        if sys.platform.startswith("win"):
            self.address = rf"\\.\pipe\ssmclient-{secrets.token_hex(16)}"
            self._listener = Listener(self.address, family="AF_PIPE", authkey=self._authkey)
        else:
            self._directory = tempfile.mkdtemp(prefix="ssmclient-")  # created 0700
            self.address = os.path.join(self._directory, "handoff")
            self._listener = Listener(self.address, family="AF_UNIX", authkey=self._authkey)
        self._done = threading.Event()
        self._result: str | None = None

    def helper_command(self) -> list[str]:
        return [*ssmclient_command(), HANDOFF_COMMAND, self.address, self._authkey.hex()]

    def serve(self, timeout: float, window_failed: Callable[[], str | None] | None = None) -> None:
        """Hand over, and return once the helper has become the plugin; one deadline for all.

        `window_failed` is polled while waiting: a reason there (the terminal
        exited with an error, say) ends the wait at once instead of at the deadline.
        """
        deadline = time.monotonic() + timeout
        worker = threading.Thread(target=self._serve_one, args=(deadline,), daemon=True)
        worker.start()
        failure: str | None = None
        while worker.is_alive() and time.monotonic() < deadline:
            worker.join(min(0.1, max(0.0, deadline - time.monotonic())))
            if worker.is_alive() and window_failed is not None and self._result is None:
                failure = window_failed()
                if failure is not None:
                    break
        if worker.is_alive():
            self._wake_accept()
            worker.join(2)
        self.close()
        if self._result == STARTED:
            return
        if failure is not None:
            raise HandoffError(failure)
        if self._result is None:
            raise HandoffError(
                f"the terminal window did not start the session within {timeout:.0f} s"
            )
        raise HandoffError(f"the terminal window could not start the plugin: {self._result}")

    def _serve_one(self, deadline: float) -> None:
        try:
            with self._listener.accept() as connection:
                if self._done.is_set():
                    return
                uid = peer_uid(connection)
                if uid is not None and hasattr(os, "getuid") and uid != os.getuid():
                    self._result = "a process of another user connected; refused"
                    return
                connection.send_bytes(self._payload.to_bytes())
                self._result = _await_exec(connection, deadline)
        except (OSError, EOFError) as exc:
            if self._result is None and not self._done.is_set():
                self._result = f"hand-off failed: {exc}"
        except Exception as exc:  # e.g. AuthenticationError: a wrong key
            if not self._done.is_set():
                self._result = f"hand-off refused: {type(exc).__name__}"

    def _wake_accept(self) -> None:
        # accept() does not return when the listener is closed under it (Linux):
        # connect once, without the key, so the waiting thread gets a failed
        # handshake and ends instead of lingering for the life of the process.
        self._done.set()
        family = "AF_PIPE" if self.address.startswith("\\\\.\\pipe\\") else "AF_UNIX"
        with contextlib.suppress(Exception), Client(self.address, family=family):
            pass

    def close(self) -> None:
        self._done.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None


def _await_exec(connection: Connection, deadline: float) -> str:
    """The helper's answer: STARTED once it has execed the plugin, else why it did not.

    The helper says STARTED just before it execs the plugin; its end of the
    channel is close-on-exec (PEP 446), so end-of-file then means the exec
    happened, and a message after STARTED is why it failed. End-of-file
    without STARTED is a helper that died (its window closed, a crash): the
    plugin never ran, and the caller must end the session.
    """
    said_started = False
    while True:
        remaining = max(0.0, deadline - time.monotonic())
        if not connection.poll(remaining):
            # STARTED said and no failure since: the exec is under way.
            return STARTED if said_started else "no answer from the helper"
        try:
            message = connection.recv_bytes(4096).decode("utf-8", "replace")
        except EOFError:
            return STARTED if said_started else "the window's helper ended before the plugin ran"
        if message != STARTED:
            return one_line(message)
        said_started = True


def build_payload(
    argv: Sequence[str],
    env_set: Mapping[str, str],
    env_unset: Sequence[str],
    title: str,
    banner: str,
) -> HandoffPayload:
    return HandoffPayload(list(argv), dict(env_set), list(env_unset), title, banner)


def _set_title(title: str) -> None:
    # The title is host-written text: escape_unsafe removes every control
    # character, so it cannot end the escape sequence early or inject others.
    safe = escape_unsafe(title)[:200]
    if sys.stdout.isatty() and not sys.platform.startswith("win"):
        sys.stdout.write(f"\033]0;{safe}\007")
        sys.stdout.flush()
    elif sys.platform.startswith("win"):
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.windll.kernel32.SetConsoleTitleW(safe)  # type: ignore[attr-defined]


def run_helper(address: str, key_hex: str) -> int:
    """The helper inside the new window: fetch the payload, then become the plugin."""
    family = "AF_PIPE" if address.startswith("\\\\.\\pipe\\") else "AF_UNIX"
    try:
        connection = Client(address, family=family, authkey=bytes.fromhex(key_hex))
    except Exception as exc:
        sys.stderr.write(f"ssmclient: could not receive the session ({type(exc).__name__})\n")
        _pause()
        return 1
    with connection:
        try:
            payload = HandoffPayload.from_bytes(connection.recv_bytes(1 << 20))
        except (ValueError, KeyError, EOFError, OSError) as exc:
            sys.stderr.write(f"ssmclient: bad session hand-off ({exc})\n")
            _pause()
            return 1
        plugin = payload.argv[0]
        if not (os.path.isfile(plugin) and os.access(plugin, os.X_OK)):
            connection.send_bytes(b"the plugin is not an executable file")
            return 1
        env = {k: v for k, v in os.environ.items() if k not in payload.env_unset}
        env.update(payload.env_set)
        _set_title(payload.title)
        sys.stdout.write(escape_unsafe(payload.banner) + "\n")
        sys.stdout.flush()
        if sys.platform.startswith("win"):
            # No exec on Windows: the plugin runs as a child of this console, and is
            # said to have started only once it has.
            import subprocess

            try:
                process = subprocess.Popen(payload.argv, env=env)
            except OSError as exc:
                connection.send_bytes(f"could not start the plugin: {exc.strerror}".encode())
                _pause()
                return 1
            connection.send_bytes(STARTED.encode())
            connection.close()
            code = process.wait()
            _pause()
            return code
        connection.send_bytes(STARTED.encode())
        try:
            os.execve(plugin, payload.argv, env)  # closes the channel: the server sees EOF
        except OSError as exc:
            connection.send_bytes(f"exec failed: {exc.strerror}".encode())
            sys.stderr.write(f"ssmclient: could not start the plugin: {exc.strerror}\n")
            _pause()
            return 1
    return 0  # pragma: no cover - execve does not return


def _pause() -> None:
    # Keep the window open long enough to read the message.
    with contextlib.suppress(Exception):
        if sys.stdin.isatty():
            input("Press Enter to close this window.")


def parse_helper_argv(argv: Sequence[str]) -> tuple[str, str] | None:
    if len(argv) == 3 and argv[0] == HANDOFF_COMMAND:
        return argv[1], argv[2]
    return None


def run_helper_command(argv: Sequence[str]) -> int:
    """`ssmclient __session-handoff ADDRESS KEY` (what `HandoffServer.helper_command` runs)."""
    parsed = parse_helper_argv(argv)
    if parsed is None:
        sys.stderr.write(f"ssmclient: unknown command {escape_unsafe(argv[0][:40])!r}\n")
        return 2
    return run_helper(*parsed)


__all__ = [
    "HANDOFF_COMMAND",
    "HandoffServer",
    "build_payload",
    "run_helper",
    "run_helper_command",
    "ssmclient_command",
]
