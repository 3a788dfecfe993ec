"""A real xterm (Debian's, under Xvfb) opened by the real launcher runs the stand-in plugin.

The recording proves the hand-off worked: the plugin got the argv, the
response and the hop-2 credentials; and while it runs, no process's argv and
no file holds the token or the secret key.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.sessions import connector as connector_module
from ssmclient.core.sessions.connector import SessionConnector
from ssmclient.core.sessions.history import SessionHistory
from ssmclient.core.sessions.session_api import StartedSession
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import read_records, secret_digest

pytestmark = pytest.mark.skipif(
    not (shutil.which("xterm") and shutil.which("Xvfb") and Path("/proc").is_dir()),
    reason="needs xterm, Xvfb and /proc (Linux)",
)


@pytest.fixture
def display(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as reader:
        number = reader.readline().strip()
    monkeypatch.setenv("DISPLAY", f":{number}")
    yield f":{number}"
    server.terminate()
    server.wait(10)


def all_command_lines() -> list[list[str]]:
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append(
                    (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
                )
            except OSError:
                continue
    return lines


def test_xterm_window_runs_the_plugin_with_the_secrets_handed_over(
    display: str,
    record: ProfileRecord,
    chain: RoleChain,
    alice: Sandbox,
    plugin_record: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[StartedSession] = []
    real_start = connector_module.start_session

    def capture(*args: object, **kwargs: object) -> StartedSession:
        session = real_start(*args, **kwargs)  # type: ignore[arg-type]
        started.append(session)
        return session

    monkeypatch.setattr(connector_module, "start_session", capture)
    connector = SessionConnector(record, chain, SessionHistory(config_dir()))
    target = alice.scenario.instances_a[0]
    outcome = connector.open_shell(target, terminal="xterm", instance_name="web `1` $(x)")
    assert outcome.terminal == "xterm"
    assert outcome.window_pid is not None
    try:
        deadline = time.monotonic() + 30
        sessions: list[dict[str, object]] = []
        while time.monotonic() < deadline and not sessions:
            sessions = [r for r in read_records(plugin_record) if r["argv"][1:] != ["--version"]]  # type: ignore[index]
            time.sleep(0.1)
        [recorded] = sessions
        [session] = started
        frozen = chain.credentials().get_frozen_credentials()
        env = recorded["env"]
        assert isinstance(env, dict)
        assert recorded["argv"][1:4] == [
            "AWS_SSM_START_SESSION_RESPONSE",
            "us-east-1",
            "StartSession",
        ]  # type: ignore[index]
        assert env["AWS_ACCESS_KEY_ID"] == frozen.access_key
        assert env["AWS_SECRET_ACCESS_KEY"] == secret_digest(frozen.secret_key)
        payload = recorded["payload"]
        assert isinstance(payload, dict)
        assert payload["TokenValue"] == secret_digest(session.token_value)
        assert payload["SessionId"] == outcome.session_id

        # Nothing secret in any process's argv while the session runs...
        secrets = (session.token_value, frozen.secret_key, str(frozen.token))
        for line in all_command_lines():
            for secret in secrets:
                assert not any(secret in word for word in line)
        # ...nor on disk: the hand-off directory is gone, the recording holds digests.
        assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("ssmclient-*/handoff"))
        for path in tmp_path.rglob("*"):
            if path.is_file():
                content = path.read_bytes()
                for secret in secrets:
                    assert secret.encode() not in content, path
        digest = hashlib.sha256(session.token_value.encode()).hexdigest()
        assert digest in plugin_record.read_text()
    finally:
        os.killpg(outcome.window_pid, signal.SIGTERM)
