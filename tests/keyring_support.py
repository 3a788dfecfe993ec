"""Test-only keyring backends and the fixtures that isolate every test from the real keyring.

Loaded as a pytest plugin from tests/conftest.py. Every test gets an empty
in-memory keyring and its own SSMCLIENT_CONFIG_DIR, so no test can read or
write the developer's real profiles or secrets.
"""

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A dict-backed keyring; `locked` makes it refuse like a locked Secret Service."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.locked = False
        self.fail_writes = False
        self.writes_left: int | None = None  # a number: writes after it fail (mid-write faults)

    def _check(self) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._check()
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check()
        if self.writes_left is not None:
            if self.writes_left <= 0:
                raise keyring.errors.PasswordSetError("write refused")
            self.writes_left -= 1
        if self.fail_writes:
            raise keyring.errors.PasswordSetError("write refused")
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check()
        if (service, username) not in self.entries:
            raise PasswordDeleteError("not found")
        del self.entries[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "config"
    monkeypatch.setenv("SSMCLIENT_CONFIG_DIR", str(directory))
    return directory
