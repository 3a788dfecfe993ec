"""One window per config dir: a second launch hands its file to the running window.

The server's name is private to the user and the config dir: on POSIX a
socket inside a 0700 directory of the user's own (QLocalServer also limits it
to the user), so another local user can neither connect nor squat the name.
"""

import getpass
import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

_TIMEOUT_MS = 1000
# A running window answers as soon as its event loop turns; allow for a busy moment.
_ACK_TIMEOUT_MS = 5000
_MAX_MESSAGE = 64 * 1024


def server_name(config_directory: Path) -> str:
    digest = hashlib.sha256(str(config_directory.resolve()).encode()).hexdigest()[:20]
    if sys.platform.startswith("win"):
        try:
            user = getpass.getuser()
        except Exception:
            user = "user"
        return f"ssmclient-{hashlib.sha256(user.encode()).hexdigest()[:8]}-{digest}"
    uid = os.getuid()
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    directory = base / f"ssmclient-{uid}"
    directory.mkdir(mode=0o700, exist_ok=True)
    info = directory.lstat()
    if info.st_uid != uid or info.st_mode & 0o077 or not directory.is_dir():
        raise OSError(f"{directory} is not a private directory of this user")
    return str(directory / f"gui-{digest}.sock")


def hand_over(name: str, message: str) -> bool:
    """Send `message` to a running window; False when none answers.

    On POSIX the channel is a plain Unix socket (what QLocalServer listens
    on), so a launch that finds no window has not loaded QtNetwork for it.
    """
    if os.name == "posix":
        return _hand_over_unix(name, message)
    return _hand_over_qt(name, message)


def _hand_over_unix(name: str, message: str) -> bool:
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
        channel.settimeout(_TIMEOUT_MS / 1000)
        try:
            channel.connect(name)
        except OSError:  # no socket, or nobody listening on it (a crashed window's)
            return False
        try:
            channel.sendall(message.encode("utf-8") + b"\n")
            # Wait for the window's acknowledgement, so the message is not lost if we exit.
            channel.settimeout(_ACK_TIMEOUT_MS / 1000)
            answer = b""
            while b"\n" not in answer:
                chunk = channel.recv(64)
                if not chunk:
                    break
                answer += chunk
        except OSError:
            return False
    return answer == b"ok\n"


def _hand_over_qt(name: str, message: str) -> bool:
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(message.encode("utf-8") + b"\n")
    socket.flush()
    answer = b""
    deadline = time.monotonic() + _ACK_TIMEOUT_MS / 1000
    while b"\n" not in answer and time.monotonic() < deadline:
        if socket.waitForReadyRead(200):
            answer += socket.readAll().data()
        elif socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
    socket.disconnectFromServer()
    return answer == b"ok\n"
