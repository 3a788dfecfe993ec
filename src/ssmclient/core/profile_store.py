"""The profile store: non-secret profile data in one JSON file, secrets in the keyring.

The file is replaced atomically and guarded by a lock file, so the GUI and a
CLI in another terminal cannot lose each other's changes, and a crash at any
moment leaves either the old or the new store. A store that cannot be read is
never overwritten: a write first moves it aside and says where it went.
"""

import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ssmclient.core import secret_store
from ssmclient.core.atomic_file import write_atomic
from ssmclient.core.errors import ProfileFileError, StoreError, UnknownProfileError
from ssmclient.core.profile_file import profile_from_mapping, profile_to_mapping
from ssmclient.core.profile_model import (
    ImportedProfile,
    ProfileRecord,
    SourceKind,
    SourceSettings,
)
from ssmclient.core.secret_store import SecretStore

STORE_FORMAT = "ssmclient-store"
STORE_VERSION = 1
STORE_FILE = "profiles.json"


@dataclass(frozen=True)
class ImportResult:
    record: ProfileRecord
    replaced: ProfileRecord | None
    set_aside: Path | None  # where an unreadable store was moved, if it was


def _record_to_json(record: ProfileRecord) -> dict[str, Any]:
    source = record.source
    return {
        "id": record.id,
        "imported_at": record.imported_at.isoformat(),
        "profile": profile_to_mapping(record.profile),
        "source": {
            "kind": source.kind.value,
            "aws_profile": source.aws_profile,
            "source_role_arn": source.source_role_arn,
            "mfa_serial": source.mfa_serial,
            "session_name": source.session_name,
        },
    }


def _record_from_json(entry: Any) -> ProfileRecord:
    if not isinstance(entry, dict):
        raise ValueError("a profile entry is not an object")
    record_id = entry["id"]
    uuid.UUID(record_id)  # ids are the keyring's keys; refuse anything else
    source = entry["source"]
    for key in ("aws_profile", "source_role_arn", "mfa_serial", "session_name"):
        if source.get(key) is not None and not isinstance(source[key], str):
            raise ValueError(f"source.{key} is not a string")
    return ProfileRecord(
        id=record_id,
        profile=profile_from_mapping(entry["profile"], with_secret=False),
        source=SourceSettings(
            kind=SourceKind(source["kind"]),
            aws_profile=source.get("aws_profile"),
            source_role_arn=source.get("source_role_arn"),
            mfa_serial=source.get("mfa_serial"),
            session_name=source.get("session_name"),
        ),
        imported_at=datetime.fromisoformat(entry["imported_at"]),
    )


class UnreadableStoreError(StoreError):
    """The store was read but is not a store ssmclient can parse (the only kind moved aside)."""


# Profile ids (the keyring's keys) as they appear in any store file, parsable or not.
_PROFILE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SET_ASIDE_READ_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class LeftoverSecrets:
    """Keyring entries of profiles that are only in a store set aside as unreadable."""

    set_aside: Path
    profile_ids: tuple[str, ...]
    keys: tuple[str, ...]


class ProfileStore:
    def __init__(self, directory: Path, secrets: SecretStore | None = None) -> None:
        self.directory = directory
        self.path = directory / STORE_FILE
        self.secrets = secrets or SecretStore()

    # -- reading -----------------------------------------------------------------

    def _read(self) -> list[ProfileRecord]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise StoreError(f"cannot read the profile store {self.path}: {exc.strerror}") from None
        try:
            document = json.loads(raw.decode("utf-8"))
            if document.get("format") != STORE_FORMAT:
                raise ValueError("not an ssmclient profile store")
            if document.get("version") != STORE_VERSION:
                raise ValueError(f"store version {document.get('version')!r} is not supported")
            records = [_record_from_json(entry) for entry in document["profiles"]]
        except (
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
            RecursionError,
            ProfileFileError,
        ) as exc:
            detail = exc.message if isinstance(exc, ProfileFileError) else str(exc)
            raise UnreadableStoreError(
                f"the profile store {self.path} is unreadable ({detail}); it was left as it is: "
                "fix it, or move it away, or import a profile to start a new store "
                "(the old file is then kept beside it)"
            ) from None
        if len({r.name for r in records}) != len(records):
            raise UnreadableStoreError(
                f"the profile store {self.path} is unreadable (a name appears twice)"
            )
        return records

    def profiles(self) -> list[ProfileRecord]:
        return sorted(self._read(), key=lambda r: r.name.casefold())

    def get(self, name: str) -> ProfileRecord:
        record = self.find(name)
        if record is None:
            raise UnknownProfileError(name)
        return record

    def find(self, name: str) -> ProfileRecord | None:
        return next((r for r in self._read() if r.name == name), None)

    def external_id(self, record: ProfileRecord) -> str | None:
        return self.secrets.get(secret_store.external_id_key(record.id))

    # -- writing -----------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = FileLock(self.directory / f".{STORE_FILE}.lock")
        try:
            with lock.acquire(timeout=10):
                yield
        except Timeout:
            raise StoreError(
                f"the profile store {self.path} is busy (another ssmclient is writing it)"
            ) from None

    def _read_for_write(self) -> tuple[list[ProfileRecord], Path | None]:
        # Only a store that was read and did not parse is moved aside; one that
        # could not be read (EACCES, EIO) is reported and left alone: moving it
        # would orphan its profiles' keyring entries over a passing fault.
        try:
            return self._read(), None
        except UnreadableStoreError:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{STORE_FILE}.unreadable-{stamp}-{uuid.uuid4().hex[:6]}")
            try:
                self.path.rename(aside)
            except OSError as exc:
                raise StoreError(
                    f"the profile store {self.path} is unreadable and could not be moved aside "
                    f"({exc.strerror}); move it away by hand"
                ) from None
            return [], aside

    def _write(self, records: list[ProfileRecord]) -> None:
        document = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "profiles": [_record_to_json(r) for r in sorted(records, key=lambda r: r.name)],
        }
        data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
        # A writer killed between creating its temp file and renaming it leaves
        # the temp file behind; under the lock no other write is in progress.
        for stale in self.directory.glob(f".{STORE_FILE}.*.tmp"):
            stale.unlink(missing_ok=True)
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            raise StoreError(
                f"cannot write the profile store {self.path}: {exc.strerror}"
            ) from None

    def save_import(self, imported: ImportedProfile) -> ImportResult:
        """Add a profile, or replace the one of the same name (keeping the partner's settings)."""
        with self._locked():
            records, aside = self._read_for_write()
            old = next((r for r in records if r.name == imported.profile.name), None)
            now = datetime.now(UTC).replace(microsecond=0)
            if old is None:
                record = ProfileRecord(str(uuid.uuid4()), imported.profile, SourceSettings(), now)
            else:
                record = replace(old, profile=imported.profile, imported_at=now)
            key = secret_store.external_id_key(record.id)
            previous_secret = self.secrets.get(key) if old else None
            # Keyring first: if it refuses, the store has not changed.
            self.secrets.set(key, imported.external_id)
            try:
                self._write([r for r in records if r.name != record.name] + [record])
            except BaseException:
                if previous_secret is None:
                    self.secrets.delete(key)
                else:
                    self.secrets.set(key, previous_secret)
                raise
            return ImportResult(record, old, aside)

    def update_source(
        self,
        name: str,
        source: SourceSettings,
        access_key: tuple[str, str] | None = None,
    ) -> ProfileRecord:
        """Store hop-1 settings; an access key pair goes to the keyring, older pairs are removed."""
        with self._locked():
            records = self._read()
            old = next((r for r in records if r.name == name), None)
            if old is None:
                raise UnknownProfileError(name)
            record = replace(old, source=source)
            id_key = secret_store.access_key_id_key(record.id)
            secret_key = secret_store.secret_access_key_key(record.id)
            if access_key is not None:
                # All or nothing: the pair as it was comes back if any step fails.
                previous = self._snapshot((id_key, secret_key))
                try:
                    self.secrets.set(id_key, access_key[0])
                    self.secrets.set(secret_key, access_key[1])
                    self._write([r if r.name != name else record for r in records])
                except BaseException:
                    self._restore(previous)
                    raise
            else:
                self._write([r if r.name != name else record for r in records])
            if source.kind is not SourceKind.ACCESS_KEY:
                self.secrets.delete(id_key)
                self.secrets.delete(secret_key)
            return record

    def _snapshot(self, keys: tuple[str, ...]) -> dict[str, str | None]:
        return {key: self.secrets.get(key) for key in keys}

    def _restore(self, snapshot: dict[str, str | None]) -> None:
        """Put keyring entries back as they were (best effort: the original failure is what
        the caller reports)."""
        for key, value in snapshot.items():
            with contextlib.suppress(Exception):
                if value is None:
                    self.secrets.delete(key)
                else:
                    self.secrets.set(key, value)

    def access_key(self, record: ProfileRecord) -> tuple[str, str] | None:
        key_id = self.secrets.get(secret_store.access_key_id_key(record.id))
        secret = self.secrets.get(secret_store.secret_access_key_key(record.id))
        if key_id is None or secret is None:
            return None
        return key_id, secret

    # -- what set-aside stores left in the keyring ----------------------------------

    def set_aside_stores(self) -> list[Path]:
        return sorted(self.directory.glob(f"{STORE_FILE}.unreadable-*"))

    def leftover_secrets(self) -> list[LeftoverSecrets]:
        """The keyring entries of profiles found in set-aside stores and not in this one.

        A set-aside store did not parse, so its ids are looked for as text; an id
        of a profile still in the store is never counted (its secrets are in use).
        """
        current = {record.id for record in self._read()}
        found: list[LeftoverSecrets] = []
        for aside in self.set_aside_stores():
            try:
                with aside.open("rb") as file:
                    text = file.read(_SET_ASIDE_READ_LIMIT).decode("utf-8", "replace")
            except OSError as exc:
                raise StoreError(f"cannot read {aside}: {exc.strerror}") from None
            ids = sorted(set(_PROFILE_ID.findall(text)) - current)
            keys = [
                key
                for profile_id in ids
                for key in secret_store.all_keys(profile_id)
                if self.secrets.get(key) is not None
            ]
            if keys:
                owners = tuple(sorted({key.split("/", 1)[0] for key in keys}))
                found.append(LeftoverSecrets(aside, owners, tuple(keys)))
        return found

    def remove_leftover_secrets(self, leftovers: list[LeftoverSecrets]) -> int:
        """Delete those entries (checked again under the lock); returns how many went."""
        with self._locked():
            current = {record.id for record in self._read()}
            keys = [
                key
                for leftover in leftovers
                for key in leftover.keys
                if key.split("/", 1)[0] not in current
            ]
            for key in keys:
                self.secrets.delete(key)
        return len(keys)

    def remove(self, name: str) -> ProfileRecord:
        """Remove a profile and its keyring entries, all or nothing.

        The keyring is read first (a locked one changes nothing), its entries are
        deleted, then the store is written; if that fails, the entries come back.
        """
        with self._locked():
            records = self._read()
            record = next((r for r in records if r.name == name), None)
            if record is None:
                raise UnknownProfileError(name)
            previous = self._snapshot(secret_store.all_keys(record.id))
            try:
                for key in previous:
                    self.secrets.delete(key)
                self._write([r for r in records if r.name != name])
            except BaseException:
                self._restore(previous)
                raise
            return record
