"""The local session history: one JSON object per line in the config dir.

Each line says when, which profile and instance, which document, the session
id, the reason and how the session ended. Never a token or a credential: the
record type has no field that could hold one.
"""

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ssmclient.core.errors import StoreError

HISTORY_FILE = "history.jsonl"


@dataclass(frozen=True)
class HistoryEntry:
    time: str
    profile: str
    instance_id: str
    instance_name: str | None
    document: str
    session_id: str | None
    reason: str | None
    outcome: str  # "ended", "failed: ...", "denied", "interrupted", "opened in <terminal>" ...
    region: str | None = None

    @classmethod
    def now(cls, **fields: Any) -> "HistoryEntry":
        return cls(time=datetime.now(UTC).replace(microsecond=0).isoformat(), **fields)


_REQUIRED = ("time", "profile", "instance_id", "document", "outcome")


def _entry(raw: Any) -> HistoryEntry:
    if not isinstance(raw, dict):
        raise TypeError("not an object")
    for name, value in raw.items():
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{name} is not text")
    if any(not isinstance(raw.get(name), str) for name in _REQUIRED):
        raise TypeError("a required field is missing")
    return HistoryEntry(**raw)


class SessionHistory:
    def __init__(self, directory: Path) -> None:
        self.path = directory / HISTORY_FILE

    def append(self, entry: HistoryEntry) -> None:
        line = json.dumps(asdict(entry), ensure_ascii=True) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # One write() on an O_APPEND descriptor: lines from the GUI and a CLI
        # running at the same time do not interleave.
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreError(
                f"cannot write the session history {self.path}: {exc.strerror}"
            ) from None

    def entries(self) -> tuple[list[HistoryEntry], int]:
        """All readable entries, oldest first, and how many lines could not be read."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return [], 0
        except OSError as exc:
            raise StoreError(
                f"cannot read the session history {self.path}: {exc.strerror}"
            ) from None
        entries: list[HistoryEntry] = []
        unreadable = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                entries.append(_entry(json.loads(line)))
            except (ValueError, TypeError):
                unreadable += 1  # a line cut by a crash, or edited by hand
        return entries, unreadable
