"""One sandbox server: moto + the layer, served by werkzeug on 127.0.0.1 in a thread.

moto keeps its state in module-level backends, so one process holds one
sandbox; a second `SandboxServer` in the same process would share (and reset)
the first one's store, and is refused.
"""

import os
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ssmclient.sandbox import moto_store, scenario
from ssmclient.sandbox.app import SandboxApp
from ssmclient.sandbox.control import Control
from ssmclient.sandbox.scenario import Scenario
from ssmclient.sandbox.state import SandboxState
from ssmclient.sandbox.wire import SSO_TOKEN_ENVIRON, SSO_TOKEN_HEADER

HOST = "127.0.0.1"
_running_lock = threading.Lock()
_running: "SandboxServer | None" = None


class _QuietHandler(WSGIRequestHandler):
    """No access log on the terminal: the request log is the sandbox's record."""

    def make_environ(self) -> Any:
        environ = super().make_environ()
        # werkzeug drops header names with "_" (they would alias "-" in WSGI); the
        # SSO portal's token header has one, so hand it over under a key of its own.
        token = self.headers.get(SSO_TOKEN_HEADER)
        if token is not None:
            environ[SSO_TOKEN_ENVIRON] = token
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log(self, type: str, message: str, *args: Any) -> None:
        pass


class SandboxServer:
    def __init__(
        self,
        *,
        port: int = 0,
        instances: int = scenario.DEFAULT_A_INSTANCES,
        state_dir: Path | None = None,
    ) -> None:
        self.default_instances = instances
        self._own_dir = state_dir is None
        self.state_dir = state_dir or Path(tempfile.mkdtemp(prefix="ssmclient-sandbox-"))
        self.state = SandboxState()
        self.control_token = secrets.token_urlsafe(24)
        self._admin_keys = {
            account: "AKIASANDBOXADM" + secrets.token_hex(3).upper()
            for account in (scenario.PARTNER_ACCOUNT, scenario.HOST_ACCOUNT)
        }
        for account, key in self._admin_keys.items():
            self.state.credentials.add_admin(key, account)
        self.app = SandboxApp(self.state)
        self.app.control = Control(self.state, self.control_token, self.reset)
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._reset_lock = threading.Lock()
        self._seeded_count: int | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox server is not running")
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def scenario(self) -> Scenario:
        if self.state.scenario is None:
            raise RuntimeError("the sandbox is not seeded")
        return self.state.scenario

    def start(self) -> "SandboxServer":
        """Listen, serve in a daemon thread, and seed the scenario."""
        global _running
        # moto loads thousands of public AMIs on every reset (0.4 s each time); the
        # scenario launches from its own image id and never lists AMIs.
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        with _running_lock:
            if _running is not None:
                raise RuntimeError("a sandbox server already runs in this process (moto is global)")
            _running = self
        self._server = make_server(
            HOST, self._requested_port, self.app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="ssmclient-sandbox", daemon=True
        )
        self._thread.start()
        try:
            self.reset(None)
        except BaseException:
            self.stop()
            raise
        return self

    def reset(self, instances: int | None, *, full: bool = False) -> Scenario:
        """Back to a freshly seeded scenario: faults, log, sessions and lifetimes cleared.

        Reseeding moto costs a few hundred milliseconds, so unless `full` it is skipped when no
        request changed moto's store since the last seeding and the size is the same:
        the scenario (ids included) is then exactly what a reseed would give.
        Issued credentials are forgotten either way, so nothing leaks between tests.
        """
        count = self.default_instances if instances is None else instances
        with self._reset_lock:
            self.state.faults.clear()
            self.state.credentials.clear()
            with self.state.sessions_lock:
                self.state.sessions.clear()
            stale = self.state.mutated or self._seeded_count != count
            if full or stale or self.state.scenario is None:
                moto_store.reset()
                self.state.scenario = scenario.seed(
                    self.endpoint_url, self._admin_keys, self.state_dir, count
                )
                self._seeded_count = count
                self.state.mutated = False
            self.state.log.clear()
            return self.state.scenario

    def stop(self) -> None:
        global _running
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        with _running_lock:
            if _running is self:
                _running = None
        if self._own_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
