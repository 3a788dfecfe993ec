"""The profile store: non-secret JSON on disk, secrets in the keyring, atomic and recoverable."""

import json
from pathlib import Path

import pytest

from ssmclient.core import secret_store
from ssmclient.core.errors import KeyringError, StoreError, UnknownProfileError
from ssmclient.core.profile_file import parse_profile_bytes
from ssmclient.core.profile_model import ImportedProfile, SourceKind, SourceSettings
from ssmclient.core.profile_store import STORE_FILE, ProfileStore

from keyring_support import MemoryKeyring
from profile_samples import encode, example


def imported(**changes: object) -> ImportedProfile:
    return parse_profile_bytes(encode(example(**changes)))


@pytest.fixture
def store(config_dir: Path) -> ProfileStore:
    return ProfileStore(config_dir)


def test_empty_store_lists_nothing(store: ProfileStore) -> None:
    assert store.profiles() == []
    assert not store.path.exists()


def test_import_keeps_the_external_id_only_in_the_keyring(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    result = store.save_import(imported())
    assert result.replaced is None
    assert "ExternalID3rdPartyA" not in store.path.read_text()
    assert memory_keyring.entries == {
        ("ssmclient", f"{result.record.id}/external_id"): "ExternalID3rdPartyA"
    }
    assert store.external_id(store.get(result.record.profile.name)) == "ExternalID3rdPartyA"


def test_store_file_is_private(store: ProfileStore) -> None:
    store.save_import(imported())
    assert store.path.stat().st_mode & 0o077 == 0


def test_reload_gives_the_same_profile(store: ProfileStore) -> None:
    first = store.save_import(imported(regions=["eu-west-1"], expires="2030-01-01T00:00:00Z"))
    assert ProfileStore(store.directory).get(first.record.name) == first.record


def test_profiles_are_sorted_by_name(store: ProfileStore) -> None:
    for name in ("b party", "A party", "c party"):
        store.save_import(imported(name=name))
    assert [r.name for r in store.profiles()] == ["A party", "b party", "c party"]


def test_reimport_replaces_keeps_id_and_source(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    first = store.save_import(imported()).record
    store.update_source(first.name, SourceSettings(SourceKind.AWS_PROFILE, aws_profile="partner"))
    second = store.save_import(imported(external_id="RotatedID", region="eu-west-1"))
    assert second.replaced is not None
    assert second.record.id == first.id
    assert second.record.source.aws_profile == "partner"
    assert store.get(first.name).profile.region == "eu-west-1"
    assert store.external_id(second.record) == "RotatedID"
    assert len(memory_keyring.entries) == 1


def test_locked_keyring_changes_nothing(store: ProfileStore, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.locked = True
    with pytest.raises(KeyringError, match="locked"):
        store.save_import(imported())
    memory_keyring.locked = False
    assert store.profiles() == []
    assert memory_keyring.entries == {}


def test_failed_store_write_rolls_the_keyring_back(
    store: ProfileStore, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = store.save_import(imported()).record

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise StoreError("disk full")

    monkeypatch.setattr(ProfileStore, "_write", refuse)
    with pytest.raises(StoreError):
        store.save_import(imported(external_id="NewSecret"))
    with pytest.raises(StoreError):
        store.save_import(imported(name="Another"))
    assert store.external_id(record) == "ExternalID3rdPartyA"
    assert len(memory_keyring.entries) == 1


def test_no_keyring_backend_refuses_without_plain_text_fallback(
    store: ProfileStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringError, match="no OS keyring"):
        store.save_import(imported())
    assert not store.path.exists()
    secret = imported().external_id
    written = [p for p in store.directory.rglob("*") if p.is_file()]
    assert all(secret not in p.read_text(errors="replace") for p in written), written


def test_remove_deletes_the_keyring_entries(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    record = store.save_import(imported()).record
    store.update_source(
        record.name, SourceSettings(SourceKind.ACCESS_KEY), ("AKIAEXAMPLEEXAMPLE", "s" * 40)
    )
    assert len(memory_keyring.entries) == 3
    store.remove(record.name)
    assert memory_keyring.entries == {}
    assert store.profiles() == []


def _failing_write(*args: object, **kwargs: object) -> None:
    raise StoreError("cannot write the profile store (injected)")


def test_a_failed_store_write_leaves_the_keyring_as_it_was(
    store: ProfileStore, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = store.save_import(imported()).record
    store.update_source(
        record.name, SourceSettings(SourceKind.ACCESS_KEY), ("AKIAOLDOLDOLDOLD0001", "o" * 40)
    )
    before = dict(memory_keyring.entries)
    monkeypatch.setattr(store, "_write", _failing_write)
    with pytest.raises(StoreError):
        store.update_source(
            record.name, SourceSettings(SourceKind.ACCESS_KEY), ("AKIANEWNEWNEWNEW0002", "n" * 40)
        )
    assert memory_keyring.entries == before  # the old pair, not the new one
    with pytest.raises(StoreError):
        store.remove(record.name)
    assert memory_keyring.entries == before  # the External ID and the pair are still there
    monkeypatch.undo()
    (kept,) = store.profiles()
    assert store.external_id(kept) == imported().external_id
    assert store.access_key(kept) == ("AKIAOLDOLDOLDOLD0001", "o" * 40)


def test_remove_with_a_locked_keyring_keeps_the_profile(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    record = store.save_import(imported()).record
    memory_keyring.locked = True
    with pytest.raises(KeyringError):
        store.remove(record.name)
    memory_keyring.locked = False
    assert store.get(record.name) == record


def test_remove_unknown(store: ProfileStore) -> None:
    with pytest.raises(UnknownProfileError):
        store.remove("nobody")


def test_access_key_pair_round_trip_and_dropped_when_source_changes(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    record = store.save_import(imported()).record
    with_key = store.update_source(
        record.name, SourceSettings(SourceKind.ACCESS_KEY), ("AKIAEXAMPLEEXAMPLE", "secret/value")
    )
    assert store.access_key(with_key) == ("AKIAEXAMPLEEXAMPLE", "secret/value")
    assert "secret/value" not in store.path.read_text()
    assert "AKIAEXAMPLEEXAMPLE" not in store.path.read_text()
    store.update_source(record.name, SourceSettings(SourceKind.DEFAULT_CHAIN))
    assert store.access_key(with_key) is None
    assert list(memory_keyring.entries) == [("ssmclient", secret_store.external_id_key(record.id))]


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"format": "other"}', b"\xff\xfe", b""],
)
def test_unreadable_store_is_reported_and_not_overwritten(
    store: ProfileStore, content: bytes
) -> None:
    store.directory.mkdir(parents=True)
    store.path.write_bytes(content)
    with pytest.raises(StoreError, match=str(store.path)):
        store.profiles()
    result = store.save_import(imported())
    assert result.set_aside is not None
    assert result.set_aside.read_bytes() == content
    assert result.set_aside.parent == store.directory
    assert [r.name for r in store.profiles()] == [result.record.name]


def test_tampered_store_cannot_smuggle_an_endpoint(store: ProfileStore) -> None:
    store.save_import(imported())
    document = json.loads(store.path.read_text())
    document["profiles"][0]["profile"]["endpoint_url"] = "http://evil.example"
    store.path.write_text(json.dumps(document))
    with pytest.raises(StoreError, match="endpoint_url"):
        store.profiles()


def test_store_with_a_secret_field_is_refused(store: ProfileStore) -> None:
    store.save_import(imported())
    document = json.loads(store.path.read_text())
    document["profiles"][0]["profile"]["external_id"] = "leaked"
    store.path.write_text(json.dumps(document))
    with pytest.raises(StoreError):
        store.profiles()


def test_no_temp_files_are_left_behind(store: ProfileStore) -> None:
    for index in range(5):
        store.save_import(imported(name=f"party {index}"))
    names = sorted(p.name for p in store.directory.iterdir())
    assert names == [f".{STORE_FILE}.lock", STORE_FILE]


def test_deeply_nested_store_is_unreadable_not_a_crash(store: ProfileStore) -> None:
    store.directory.mkdir(parents=True)
    store.path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(StoreError, match="unreadable"):
        store.profiles()
    assert store.save_import(imported()).set_aside is not None


def test_a_chain_that_could_fall_back_to_a_file_backend_is_refused(store: ProfileStore) -> None:
    import keyring
    from keyring.backends import chainer, fail

    class FileBackedKeyring(MemoryKeyring):
        pass

    FileBackedKeyring.__module__ = "keyrings.alt.file"

    class Chained(chainer.ChainerBackend):
        backends = (MemoryKeyring(), FileBackedKeyring())  # what keyring would chain

    keyring.set_keyring(Chained())
    with pytest.raises(KeyringError, match="no OS keyring"):
        store.save_import(imported())
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringError, match="no OS keyring"):
        store.save_import(imported())


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), OSError(5, "EIO")])
def test_a_store_that_cannot_be_read_is_reported_and_never_moved_aside(
    store: ProfileStore, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    error: OSError,
) -> None:  # fmt: skip
    first = store.save_import(imported()).record
    before = store.path.read_bytes()
    entries = dict(memory_keyring.entries)
    real_read_bytes = Path.read_bytes

    def failing(path: Path) -> bytes:
        if path == store.path:
            raise error
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", failing)
    with pytest.raises(StoreError, match=f"cannot read the profile store {store.path}"):
        store.profiles()
    with pytest.raises(StoreError, match="cannot read"):
        store.save_import(imported(name="Another Host (Third_Party_A)"))
    monkeypatch.undo()
    # An I/O error is not a corrupt store: nothing moved, nothing added, no keyring change.
    assert sorted(p.name for p in store.directory.iterdir() if "unreadable" in p.name) == []
    assert store.path.read_bytes() == before
    assert [r.name for r in store.profiles()] == [first.name]
    assert memory_keyring.entries == entries


def test_secrets_left_by_a_set_aside_store_are_listed_and_removed(
    store: ProfileStore, memory_keyring: MemoryKeyring
) -> None:
    lost = store.save_import(imported(name="lost party")).record
    kept = store.save_import(imported(name="kept party")).record
    store.path.write_bytes(store.path.read_bytes()[:-20])  # damaged: no longer parses
    fresh = store.save_import(imported(name="kept party")).record  # sets the old store aside
    assert fresh.id != kept.id
    assert store.leftover_secrets()[0].profile_ids == tuple(sorted((lost.id, kept.id)))
    # An id still in the store is never a leftover, even when a set-aside file names it.
    (store.directory / f"{STORE_FILE}.unreadable-extra").write_text(fresh.id, encoding="utf-8")
    leftovers = store.leftover_secrets()
    assert [leftover.set_aside.name for leftover in leftovers] == [
        leftovers[0].set_aside.name
    ]  # the extra file names only a current profile: nothing from it
    assert set(leftovers[0].keys) == {
        secret_store.external_id_key(lost.id),
        secret_store.external_id_key(kept.id),
    }
    assert store.remove_leftover_secrets(leftovers) == 2
    assert memory_keyring.entries == {
        ("ssmclient", secret_store.external_id_key(fresh.id)): "ExternalID3rdPartyA"
    }
    assert store.leftover_secrets() == []
    assert len(store.set_aside_stores()) == 2  # the files themselves are kept
