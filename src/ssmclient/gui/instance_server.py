"""The running window's end of the single-instance channel (see single_instance.py)."""

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

_MAX_MESSAGE = 64 * 1024


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
