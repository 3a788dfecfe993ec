"""Secrets (External IDs, access keys) in the OS keyring, and nowhere else.

`keyring` picks the platform's store (Secret Service, macOS Keychain, Windows
Credential Manager). When it has none, or only one that writes plain text, we
refuse rather than fall back: a secret in a file is the thing to avoid.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from ssmclient.core.diagnostic_log import mask_secret
from ssmclient.core.errors import KeyringError

SERVICE = "ssmclient"

NO_KEYRING_MESSAGE = (
    "no OS keyring is available, and ssmclient keeps secrets only in one: on Linux install and "
    "unlock a Secret Service keyring (gnome-keyring or KWallet) in your desktop session; "
    "on macOS and Windows the system keychain is used"
)
LOCKED_MESSAGE = (
    "the OS keyring is locked: unlock it (log in to your desktop session, or open your keyring "
    "manager and unlock the default keyring) and try again"
)

# Windows Credential Manager's limit for one entry's secret (CRED_MAX_CREDENTIAL_BLOB_SIZE),
# which keyring fills with the value in UTF-16. One entry per secret, each checked
# against it: the longest External ID (1224 characters) takes 2448 bytes.
MAX_ENTRY_BYTES = 2560

# Backends that keep secrets in files of their own (keyrings.alt's), store
# nothing (null) or always fail. When keyring chains several backends, a write
# may fall through to any of them, so each one in the chain is checked.
_REFUSED_MODULE_PREFIXES = ("keyrings.alt", "keyring.backends.null", "keyring.backends.fail")


def _refused(backend: Any) -> bool:
    return str(type(backend).__module__).startswith(_REFUSED_MODULE_PREFIXES)


def _backend() -> Any:
    import keyring  # imported late: keyring's start-up scans entry points

    backend = keyring.get_keyring()
    members = getattr(backend, "backends", None)  # keyring.backends.chainer.ChainerBackend
    chain = list(members) if isinstance(members, list | tuple) else [backend]
    if not chain or any(_refused(member) for member in chain):
        raise KeyringError(NO_KEYRING_MESSAGE)
    return backend


def _translate(exc: Exception) -> KeyringError:
    from keyring import errors

    if isinstance(exc, errors.KeyringLocked):
        return KeyringError(LOCKED_MESSAGE)
    if isinstance(exc, errors.NoKeyringError):
        return KeyringError(NO_KEYRING_MESSAGE)
    if isinstance(exc, errors.InitError):
        return KeyringError(f"the OS keyring could not be opened ({exc}); is it running?")
    detail = str(exc) or type(exc).__name__
    return KeyringError(f"the OS keyring failed: {detail}")


@contextlib.contextmanager
def _keyring_errors() -> Iterator[None]:
    """Every failure of a keyring call as one KeyringError with advice."""
    try:
        yield
    except KeyringError:
        raise
    except Exception as exc:  # keyring backends raise many types; all mean "failed"
        raise _translate(exc) from None


class SecretStore:
    """Named secrets of one profile store. Keys are `<profile id>/<what>`."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service

    def where(self) -> str:
        """Where the secrets went, in words for the user: "the OS keyring", unless the
        keyring backend says otherwise (a `where` attribute; the sandbox's does)."""
        with _keyring_errors():
            backend = _backend()
        where = getattr(backend, "where", None)
        return where if isinstance(where, str) and where else "the OS keyring"

    def get(self, key: str) -> str | None:
        with _keyring_errors():
            value = _backend().get_password(self.service, key)
        if not isinstance(value, str):
            return None
        mask_secret(value)
        return value

    def set(self, key: str, value: str) -> None:
        mask_secret(value)
        if len(value.encode("utf-16-le")) > MAX_ENTRY_BYTES:
            # Said here, on every platform, rather than only on Windows where it fails.
            raise KeyringError(
                f"a secret of {len(value)} characters is too long for the OS keyring "
                f"(Windows keeps at most {MAX_ENTRY_BYTES // 2} per entry)"
            )
        with _keyring_errors():
            _backend().set_password(self.service, key, value)

    def delete(self, key: str) -> None:
        """Remove a secret; a secret that is already gone is not an error."""
        from keyring.errors import PasswordDeleteError

        with _keyring_errors(), contextlib.suppress(PasswordDeleteError):
            _backend().delete_password(self.service, key)


def external_id_key(profile_id: str) -> str:
    return f"{profile_id}/external_id"


def access_key_id_key(profile_id: str) -> str:
    return f"{profile_id}/access_key_id"


def secret_access_key_key(profile_id: str) -> str:
    return f"{profile_id}/secret_access_key"


def all_keys(profile_id: str) -> tuple[str, ...]:
    return (
        external_id_key(profile_id),
        access_key_id_key(profile_id),
        secret_access_key_key(profile_id),
    )
