"""Every other kind of write, killed with SIGKILL at random moments, leaves a file that loads.

The profile store has its own test (test_profile_store_crash.py); here the
session history (appended line by line) and the window's settings (replaced
whole), each written in a tight loop by a child that is killed mid-way.
"""

import os
import random
import signal
from pathlib import Path

import pytest

from ssmclient.core.app_settings import AppSettings, SettingsStore
from ssmclient.core.sessions.history import SessionHistory

from crash_support import kill_while_writing

WRITERS = {
    "history": """
import sys
from pathlib import Path
from ssmclient.core.sessions.history import HistoryEntry, SessionHistory
history = SessionHistory(Path(sys.argv[1]))
n = 0
while True:
    history.append(HistoryEntry.now(profile="p" * (n % 300), instance_id="i-0123456789abcdef0",
        instance_name=None, document="SSM-SessionManagerRunShell", session_id=f"s-{n}",
        reason=None, outcome="ended", region="eu-west-1"))
    if n == 0:
        print("ready", flush=True)
    n += 1
""",
    "settings": """
import sys
from pathlib import Path
from ssmclient.core.app_settings import AppSettings, SettingsStore
store = SettingsStore(Path(sys.argv[1]))
n = 0
while True:
    store.save(AppSettings(terminal=("auto", "xterm")[n % 2],
        https_proxy=f"http://proxy{'x' * (n % 200)}.example:3128"))
    if n == 0:
        print("ready", flush=True)
    n += 1
""",
}


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_a_killed_writer_leaves_a_file_that_loads(tmp_path: Path, kind: str) -> None:
    rng = random.Random(20261203)
    kept = 0
    for _ in range(20):
        kill_while_writing(WRITERS[kind], [str(tmp_path)], os.environ, rng)
        if kind == "history":
            entries, unreadable = SessionHistory(tmp_path).entries()
            assert entries  # every complete line reads back
            assert unreadable <= 1  # at most the line being written, never the others
            assert len(entries) > kept
            kept = len(entries)
        else:
            loaded = SettingsStore(tmp_path).load()  # raises if the file does not parse
            assert loaded.terminal in ("auto", "xterm")
            assert loaded != AppSettings()
