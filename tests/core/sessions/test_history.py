"""The session history file: appended lines, tolerant reading, nothing secret by construction."""

import json
from dataclasses import fields
from pathlib import Path

from ssmclient.core.sessions.history import HistoryEntry, SessionHistory


def entry(**changes: object) -> HistoryEntry:
    values: dict[str, object] = {
        "profile": "P",
        "instance_id": "i-0123456789abcdef0",
        "instance_name": None,
        "document": "SSM-SessionManagerRunShell",
        "session_id": "alice-0123",
        "reason": None,
        "outcome": "ended",
        "region": "us-east-1",
    }
    values.update(changes)
    return HistoryEntry.now(**values)


def test_append_and_read_back(tmp_path: Path) -> None:
    history = SessionHistory(tmp_path)
    first, second = entry(), entry(outcome="interrupted")
    history.append(first)
    history.append(second)
    assert history.entries() == ([first, second], 0)
    assert history.path.stat().st_mode & 0o077 == 0


def test_wrong_types_and_broken_lines_are_skipped(tmp_path: Path) -> None:
    history = SessionHistory(tmp_path)
    good = entry()
    history.append(good)
    with history.path.open("a") as stream:
        stream.write(json.dumps({**json.loads(json.dumps(good.__dict__)), "instance_id": 5}) + "\n")
        stream.write(json.dumps({"time": "x"}) + "\n")
        stream.write("[1, 2]\n{cut\n")
    assert history.entries() == ([good], 4)


def test_no_field_could_hold_a_token() -> None:
    names = {f.name for f in fields(HistoryEntry)}
    assert not names & {"token", "token_value", "stream_url", "credentials", "access_key"}
