"""A running port forward: the plugin in the background, ready once it has opened the port."""

import contextlib
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable

from ssmclient.core.errors import SsmClientError
from ssmclient.core.sessions.plugin_invocation import PluginInvocation
from ssmclient.core.sessions.session_api import StartedSession
from ssmclient.core.text import one_line

_OPENED = re.compile(r"Port (\d+) opened for sessionId (\S+?)\.?\s*$")
_FAILED = re.compile(r"Cannot perform start session|^Error|An error occurred", re.IGNORECASE)


class PortForwardError(SsmClientError):
    pass


class PortForward:
    """One forward. `start()` waits for readiness; `stop()` ends the plugin and the session."""

    def __init__(
        self,
        invocation: PluginInvocation,
        session: StartedSession,
        terminate: Callable[[str], object],
    ) -> None:
        self._invocation = invocation
        self.session = session
        self._terminate = terminate
        self._process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()
        self._exited = threading.Event()
        self._lines: deque[str] = deque(maxlen=50)
        self.local_port: int | None = None
        self._stopped = False
        self._lock = threading.Lock()

    def start(self, timeout: float = 30.0) -> int:
        try:
            self._process = subprocess.Popen(
                self._invocation.argv,
                env=self._invocation.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
            )
        except OSError as exc:
            self._terminate(self.session.session_id)
            raise PortForwardError(
                f"session-manager-plugin could not be started: {exc.strerror or exc}"
            ) from None
        threading.Thread(target=self._read_output, daemon=True).start()
        try:
            self._ready.wait(timeout)
        except BaseException:  # Ctrl+C while waiting: end the plugin and the session
            self.stop()
            raise
        if self.local_port is None:
            detail = next((line for line in reversed(self._lines) if line.strip()), "")
            self.stop()
            if self._exited.is_set():
                raise PortForwardError(
                    "the port forward ended before it was ready"
                    + (f": {one_line(detail, 200)}" if detail else "")
                )
            raise PortForwardError(f"the port forward was not ready within {timeout:.0f} s")
        return self.local_port

    def _read_output(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.append(line.rstrip("\n"))
            match = _OPENED.search(line)
            if match and self.local_port is None:
                self.local_port = int(match.group(1))
                self._ready.set()
            elif _FAILED.search(line) and self.local_port is None:
                self._ready.set()
        self._process.wait()
        self._exited.set()
        self._ready.set()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float | None = None) -> bool:
        """True once the plugin has exited (by itself or through stop())."""
        return self._exited.wait(timeout)

    def output(self) -> list[str]:
        return list(self._lines)

    def stop(self) -> None:
        """End the plugin (gently, then firmly) and terminate the session; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(5)
        self._terminate(self.session.session_id)
