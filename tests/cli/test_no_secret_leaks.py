"""Every feature, scripted as a user runs it, and no secret anywhere it could leak.

The External ID, the partner's secret key, every secret key and session token the
sandbox issued and every StartSession token must not appear in a file ssmclient
wrote, in the command line of any process running meanwhile (sampled from
/proc/*/cmdline), or in anything ssmclient printed.
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from ssmclient.sandbox.cli import throwaway_environment
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.server import SandboxServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc"),
]
SSMCLIENT = [sys.executable, "-P", "-m", "ssmclient"]
NAME = "Sandbox Host (Third_Party_A)"


class CommandLines:
    """Every command line seen in /proc while it runs (this user's processes)."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        raw = (entry / "cmdline").read_bytes()
                    except OSError:
                        continue
                    if raw:
                        self.seen.add(raw.replace(b"\0", b" ").decode("utf-8", "replace"))
            time.sleep(0.01)

    def __enter__(self) -> "CommandLines":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def test_no_secret_in_files_command_lines_or_output(
    aws_sandbox: Sandbox, aws_sandbox_server: SandboxServer
) -> None:
    scenario = aws_sandbox.scenario
    work = Path(tempfile.mkdtemp(prefix="ssmclient-leaks-"))
    env = throwaway_environment(aws_sandbox_server, work)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **env}
    env["SSMCLIENT_AWS_MAX_ATTEMPTS"] = "2"
    printed: list[str] = []

    def ssmclient(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [*SSMCLIENT, *args],
            env={**env, **extra},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        printed.extend((done.stdout, done.stderr))
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    target = scenario.instances_a[0]
    with CommandLines() as command_lines:
        ssmclient("profile", "import", str(scenario.profile_file), "--yes")
        # The partner's own keys, to the keyring; then nothing in the environment.
        ssmclient(
            *("profile", "set-source", NAME, "--access-key-id", scenario.alice_access_key_id),
            stdin=scenario.alice_secret_access_key + "\n",
        )
        env.pop("AWS_ACCESS_KEY_ID")
        env.pop("AWS_SECRET_ACCESS_KEY")
        ssmclient("--verbose", "instances", "--profile", NAME, "--json")
        ssmclient("doctor", "--profile", NAME)
        ssmclient(
            *("--verbose", "connect", "--profile", NAME, target, "--terminal", "inline"),
            stdin="exit\n",
        )
        forward = subprocess.Popen(
            [*SSMCLIENT, "forward", "--profile", NAME, target, "--port", "5432"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert forward.stdout is not None
        assert forward.stdout.readline().startswith("Forwarding localhost:")
        time.sleep(0.5)
        forward.send_signal(signal.SIGINT)
        out, err = forward.communicate(timeout=60)
        printed.extend((out, err))
        # With MFA: the MFA role, the code from the environment (as scripts pass it).
        ssmclient(
            *("profile", "set-source", NAME, "--source-role-arn", scenario.partner_mfa_role_arn),
            *("--mfa-serial", scenario.mfa_serial),
        )
        ssmclient(
            *("--verbose", "instances", "--profile", NAME), SSMCLIENT_MFA_CODE=scenario.mfa_code
        )
        ssmclient("history", "--json")
        written = {
            path: path.read_bytes().decode("utf-8", "replace")
            for path in Path(env["SSMCLIENT_CONFIG_DIR"]).rglob("*")
            if path.is_file()
        }
        ssmclient("profile", "remove", NAME, "--yes")

    state = aws_sandbox_server.state
    with state.sessions_lock:
        session_tokens = {session.token for session in state.sessions.values()}
    secrets = {
        "External ID": {scenario.external_id},
        "the partner's secret key": {scenario.alice_secret_access_key},
        "an issued secret or session token": state.credentials.issued_secrets(),
        "a StartSession token": session_tokens,
    }
    assert secrets["an issued secret or session token"]  # the run did chain the roles
    assert len(session_tokens) >= 2  # connect, forward
    assert any("ssmclient" in line for line in command_lines.seen)  # the sampler saw us
    assert written  # profiles.json, history.jsonl, the support log, ...
    support_log = next(text for path, text in written.items() if path.name == "ssmclient.log")
    assert "assumed arn:aws:sts::" in support_log  # it did log every step of the chain
    assert "session " in support_log
    assert " started on " in support_log
    places = {
        **{f"file {path}": text for path, text in written.items()},
        **{f"command line {n}": line for n, line in enumerate(command_lines.seen)},
        **{f"output {n}": text for n, text in enumerate(printed)},
    }
    leaks = [
        f"{what} in {where}"
        for what, values in secrets.items()
        for value in values
        for where, text in places.items()
        if value in text
    ]
    assert leaks == []
