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

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

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
    """Send `message` to a running window; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(message.encode("utf-8") + b"\n")
    socket.flush()
    # Wait for the window's acknowledgement, so the message is not lost if we exit at once.
    answer = b""
    deadline = time.monotonic() + _ACK_TIMEOUT_MS / 1000
    while b"\n" not in answer and time.monotonic() < deadline:
        if socket.waitForReadyRead(200):
            answer += socket.readAll().data()
        elif socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
    socket.disconnectFromServer()
    return answer == b"ok\n"


class InstanceServer(QObject):
    """Listens for later launches; `message_received` carries "OPEN <path>" or "SHOW"."""

    message_received = Signal(str)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A socket left by a crashed instance: nobody answered hand_over, so remove it.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + socket.readAll().data()
        if b"\n" not in data:
            if len(data) > _MAX_MESSAGE:
                socket.abort()
                self._buffers.pop(socket, None)
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0][:_MAX_MESSAGE]
        self._buffers[socket] = b""
        socket.write(b"ok\n")
        socket.flush()
        self.message_received.emit(line.decode("utf-8", "replace"))

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.deleteLater()

    def close(self) -> None:
        for socket in list(self._buffers):
            socket.disconnected.disconnect()
            socket.readyRead.disconnect()
            socket.abort()
            socket.deleteLater()
        self._buffers.clear()
        self._server.close()
