"""A writer killed with SIGKILL at random moments never leaves a store that fails to load."""

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ssmclient.core.profile_store import ProfileStore

from crash_support import kill_while_writing

TESTS_DIR = Path(__file__).resolve().parents[1]

WRITER = """
import sys
from profile_samples import encode, example
from ssmclient.core.profile_file import parse_profile_bytes
from ssmclient.core.profile_store import ProfileStore

store = ProfileStore(__import__("pathlib").Path(sys.argv[1]))
n = 0
while True:
    name = f"party {n % 7}"
    store.save_import(parse_profile_bytes(encode(example(name=name, external_id=f"id-{n}",
        regions=["eu-west-1"] * (n % 2), session_duration=900 + n % 2700))))
    if n == 0:
        print("ready", flush=True)
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_store_always_loads_after_a_writer_is_killed(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "keyring_support.MemoryKeyring",
    }
    rng = random.Random(20261128)
    for _ in range(30):
        kill_while_writing(WRITER, [str(directory)], env, rng)
        records = ProfileStore(directory).profiles()  # raises if the store does not parse
        assert 1 <= len(records) <= 7
        # Never mistaken for a corrupt store (which the next import would move aside).
        assert not list(directory.glob("profiles.json.unreadable-*"))
    leftovers = [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    # A kill between mkstemp and rename may leave a temp file; it is never read as the store.
    assert all(name.startswith(".profiles.json.") for name in leftovers)


IMPORTER = """
import sys
from pathlib import Path
from profile_samples import encode, example
from ssmclient.core.profile_file import parse_profile_bytes
from ssmclient.core.profile_store import ProfileStore

store = ProfileStore(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()  # both start together
for n in range(int(sys.argv[3])):
    store.save_import(parse_profile_bytes(encode(example(name=f"{sys.argv[2]} {n}"))))
"""


def test_two_processes_importing_at_once_lose_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "keyring_support.MemoryKeyring",
    }
    each = 25
    importers = [
        subprocess.Popen(
            [sys.executable, "-c", IMPORTER, str(directory), party, str(each)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for party in ("north", "south")
    ]
    for importer in importers:
        assert importer.stdout is not None
        assert importer.stdout.readline().strip() == "ready"
    for importer in importers:
        assert importer.stdin is not None
        importer.stdin.write("go\n")
        importer.stdin.close()
    for importer in importers:
        assert importer.wait(timeout=120) == 0
        assert importer.stdout is not None
        importer.stdout.close()
    names = {record.name for record in ProfileStore(directory).profiles()}
    assert names == {f"{party} {n}" for party in ("north", "south") for n in range(each)}
