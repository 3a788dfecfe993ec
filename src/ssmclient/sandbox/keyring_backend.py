"""A keyring backend for the sandbox, so trying the app never writes to the real OS keyring.

`ssmclient sandbox` prints `PYTHON_KEYRING_BACKEND=ssmclient.sandbox.keyring_backend.SandboxKeyring`
and `SSMCLIENT_SANDBOX_KEYRING_FILE=<sandbox dir>/keyring.json`; the file (mode
0600) is removed with the sandbox directory. It only ever holds the sandbox's
fake External ID and keys. Without the variable it keeps entries in memory.
"""

import json
import os
import threading
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

FILE_VARIABLE = "SSMCLIENT_SANDBOX_KEYRING_FILE"
_lock = threading.Lock()
_memory: dict[str, str] = {}


class SandboxKeyring(KeyringBackend):
    # Never chosen automatically: only when PYTHON_KEYRING_BACKEND names it.
    priority = 0

    def _path(self) -> Path | None:
        value = os.environ.get(FILE_VARIABLE)
        return Path(value) if value else None

    def _load(self) -> dict[str, str]:
        path = self._path()
        if path is None:
            return dict(_memory)
        if not path.exists():
            return {}
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in loaded.items()}

    def _save(self, entries: dict[str, str]) -> None:
        path = self._path()
        if path is None:
            _memory.clear()
            _memory.update(entries)
            return
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(entries, stream)

    @staticmethod
    def _key(service: str, username: str) -> str:
        return json.dumps([service, username])

    def get_password(self, service: str, username: str) -> str | None:
        with _lock:
            return self._load().get(self._key(service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        with _lock:
            entries = self._load()
            entries[self._key(service, username)] = password
            self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        with _lock:
            entries = self._load()
            if entries.pop(self._key(service, username), None) is None:
                raise PasswordDeleteError("no such entry")
            self._save(entries)
