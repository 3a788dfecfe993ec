"""The keyring layer against a real Secret Service (gnome-keyring-daemon on a private bus)."""

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService

from ssmclient.core.errors import KeyringError
from ssmclient.core.profile_file import parse_profile_bytes
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.secret_store import LOCKED_MESSAGE, SecretStore

import secret_service
from profile_samples import encode, example

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(not secret_service.available(), reason="gnome-keyring-daemon not installed"),
]


def use_secret_service(
    session: secret_service.SecretServiceSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in session.env.items():
        monkeypatch.setenv(name, value)
    keyring.set_keyring(SecretService.Keyring())


@pytest.fixture
def real_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[secret_service.SecretServiceSession]:
    with secret_service.SecretServiceSession(tmp_path / "home") as session:
        use_secret_service(session, monkeypatch)
        yield session


def test_set_get_delete(real_keyring: secret_service.SecretServiceSession) -> None:
    secrets = SecretStore()
    assert secrets.get("id/external_id") is None
    secrets.set("id/external_id", "ExternalID3rdPartyA")
    assert secrets.get("id/external_id") == "ExternalID3rdPartyA"
    secrets.set("id/external_id", "Rotated")
    assert secrets.get("id/external_id") == "Rotated"
    secrets.delete("id/external_id")
    assert secrets.get("id/external_id") is None
    secrets.delete("id/external_id")  # deleting what is gone is fine


def test_services_do_not_see_each_others_entries(
    real_keyring: secret_service.SecretServiceSession,
) -> None:
    SecretStore("ssmclient").set("k", "one")
    SecretStore("ssmclient-sandbox").set("k", "two")
    assert SecretStore("ssmclient").get("k") == "one"


def test_secrets_persist_across_two_daemon_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    config = tmp_path / "config"
    with secret_service.SecretServiceSession(home) as session:
        use_secret_service(session, monkeypatch)
        record = ProfileStore(config).save_import(parse_profile_bytes(encode(example()))).record
    with secret_service.SecretServiceSession(home) as session:
        use_secret_service(session, monkeypatch)
        store = ProfileStore(config)
        assert store.external_id(store.get(record.name)) == "ExternalID3rdPartyA"


def test_locked_keyring_gives_the_clear_message(
    real_keyring: secret_service.SecretServiceSession, tmp_path: Path
) -> None:
    import secretstorage

    store = ProfileStore(tmp_path / "config")
    store.save_import(parse_profile_bytes(encode(example())))
    connection = secretstorage.dbus_init()
    secretstorage.get_default_collection(connection).lock()
    connection.close()
    with pytest.raises(KeyringError) as caught:
        store.save_import(parse_profile_bytes(encode(example(name="Second party"))))
    assert caught.value.message == LOCKED_MESSAGE
    assert [r.name for r in store.profiles()] == ["Example Corp (Third_Party_A)"]
