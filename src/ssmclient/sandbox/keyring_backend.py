"""A keyring backend for the sandbox, so trying the app never touches the real OS keyring.

`ssmclient sandbox` prints `PYTHON_KEYRING_BACKEND=ssmclient.sandbox.keyring_backend.SandboxKeyring`
with the server's URL and control token. Entries then live in the sandbox
server's memory (the control API's `/_sandbox/keyring`) and die with it: no
secret is written to a file, even if someone imports a real host's profile
while the sandbox settings are still exported. Without those variables (a test
in one process) entries stay in this process's memory.
"""

import json
import os
import threading
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError

from ssmclient.sandbox.control_protocol import TOKEN_HEADER

URL_VARIABLE = "SSMCLIENT_SANDBOX_URL"
TOKEN_VARIABLE = "SSMCLIENT_SANDBOX_TOKEN"  # noqa: S105 - the variable's name
_lock = threading.Lock()
_memory: dict[tuple[str, str], str] = {}


class SandboxKeyring(KeyringBackend):
    # Never chosen automatically: only when PYTHON_KEYRING_BACKEND names it.
    priority = 0
    # How ssmclient names it to the user (core/secret_store.py: SecretStore.where).
    where = "the sandbox's keyring (in its memory, gone when it stops)"

    @staticmethod
    def _server() -> tuple[str, str] | None:
        url, token = os.environ.get(URL_VARIABLE), os.environ.get(TOKEN_VARIABLE)
        if not url or not token:
            return None
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise KeyringError(f"{URL_VARIABLE} must be the sandbox on this machine (loopback)")
        return url.rstrip("/"), token

    @staticmethod
    def _call(server: tuple[str, str], method: str, query: dict[str, str], body: Any) -> Any:
        url, token = server
        request = urllib.request.Request(  # noqa: S310 - loopback checked above
            f"{url}/_sandbox/keyring?{urlencode(query)}",
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={TOKEN_HEADER: token, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                return json.loads(answer.read() or b"null")
        except (urllib.error.URLError, OSError) as exc:
            raise KeyringError(f"the sandbox keyring is not reachable: {exc}") from None

    def get_password(self, service: str, username: str) -> str | None:
        server = self._server()
        if server is None:
            with _lock:
                return _memory.get((service, username))
        answer = self._call(server, "GET", {"service": service, "username": username}, None)
        value = answer.get("password") if isinstance(answer, dict) else None
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        server = self._server()
        if server is None:
            with _lock:
                _memory[(service, username)] = password
            return
        self._call(
            server, "PUT", {}, {"service": service, "username": username, "password": password}
        )

    def delete_password(self, service: str, username: str) -> None:
        server = self._server()
        if server is None:
            with _lock:
                if _memory.pop((service, username), None) is None:
                    raise PasswordDeleteError("no such entry")
            return
        answer = self._call(server, "DELETE", {}, {"service": service, "username": username})
        if not (isinstance(answer, dict) and answer.get("deleted")):
            raise PasswordDeleteError("no such entry")
