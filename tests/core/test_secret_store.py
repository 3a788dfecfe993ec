"""The keyring wrapper: one entry per secret, each within Windows Credential Manager's limit."""

import pytest

from ssmclient.core.aws import naming
from ssmclient.core.errors import KeyringError
from ssmclient.core.secret_store import MAX_ENTRY_BYTES, SecretStore, external_id_key
from ssmclient.core.source_change import check_secret_access_key

from keyring_support import MemoryKeyring

LONGEST = {
    "External ID": "E" * 1224,
    "access key id": "A" * 128,
    "secret access key": "s" * 128,
}


def test_the_longest_accepted_secrets_fit_one_entry(memory_keyring: MemoryKeyring) -> None:
    assert naming.check_external_id(LONGEST["External ID"]) is None
    assert naming.check_external_id(LONGEST["External ID"] + "E") is not None
    assert naming.check_access_key_id(LONGEST["access key id"]) is None
    assert check_secret_access_key(LONGEST["secret access key"], "key")
    store = SecretStore()
    for kind, value in LONGEST.items():
        assert len(value.encode("utf-16-le")) <= MAX_ENTRY_BYTES, kind
        store.set(f"id/{kind}", value)
        assert store.get(f"id/{kind}") == value


def test_a_secret_too_long_for_windows_is_refused_everywhere(
    memory_keyring: MemoryKeyring,
) -> None:
    with pytest.raises(KeyringError, match="too long for the OS keyring"):
        SecretStore().set(external_id_key("id"), "x" * (MAX_ENTRY_BYTES // 2 + 1))
    assert memory_keyring.entries == {}
