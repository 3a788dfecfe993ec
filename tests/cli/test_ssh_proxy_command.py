"""`ssmclient ssh-proxy`: ssh's ProxyCommand, AWS-StartSSHSession on stdin and stdout."""

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli_support import one_error_line
from ssmclient.cli import prompts
from ssmclient.cli.parser import build_parser
from ssmclient.cli.session_commands import tty_mfa_prompt
from ssmclient.core.errors import SsmClientError
from ssmclient.core.paths import config_dir as configured_dir
from ssmclient.core.profile_model import (
    DEFAULT_DOCUMENTS,
    SSH_DOCUMENT,
    ProfileRecord,
)
from ssmclient.core.profile_store import ProfileStore
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import read_records

from keyring_support import MemoryKeyring

Run = Callable[..., tuple[int, str, str]]
TESTS_DIR = Path(__file__).resolve().parents[1]
# Bytes as ssh would send them: its version line, then binary packets.
SSH_BYTES = b"SSH-2.0-OpenSSH_9.6\r\n\x00\x00\x01\x0c\x0a\x14\xff\xfe\x00binary\r\n\x7f"


def sessions(record_to: Path) -> list[dict[str, Any]]:
    return [r for r in read_records(record_to) if r["argv"][1:] != ["--version"]]


def history() -> list[dict[str, str | None]]:
    path = configured_dir() / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def ssh_profile(variant: Callable[..., str]) -> str:
    """The host's A profile, with AWS-StartSSHSession among its documents."""
    return variant(documents=[*DEFAULT_DOCUMENTS, SSH_DOCUMENT])


def proxy_command(alice: Sandbox, profile: str, *args: str) -> subprocess.Popen[bytes]:
    """`ssmclient ssh-proxy` as ssh starts it: its own process, stdin and stdout are pipes.

    The child gets the External ID through an in-memory keyring seeded at start.
    """
    record = ProfileStore(configured_dir()).get(profile)
    key, secret = record.id + "/external_id", alice.scenario.external_id
    seed = (
        "import keyring, sys; from keyring_support import MemoryKeyring; k = MemoryKeyring(); "
        f"k.set_password('ssmclient', {key!r}, {secret!r}); keyring.set_keyring(k); "
        "from ssmclient.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring_support.MemoryKeyring"}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS_DIR), env.get("PYTHONPATH", "")])
    return subprocess.Popen(
        [sys.executable, "-c", seed, "ssh-proxy", "--profile", profile, *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # no controlling terminal, as under ssh in a script
    )


def test_the_plugin_streams_the_ssh_document_on_stdin_and_stdout(
    alice: Sandbox, ssh_profile: str, plugin_record: Path
) -> None:
    target = alice.scenario.instances_a[0]
    child = proxy_command(alice, ssh_profile, target, "--port", "2222")
    stdout, stderr = child.communicate(SSH_BYTES, timeout=120)
    assert child.returncode == 0, stderr.decode()
    assert stderr == b""

    [recorded] = sessions(plugin_record)
    argv = recorded["argv"]
    assert isinstance(argv, list)
    # ssh-proxy lives as long as the plugin: the credential feed's profile.
    assert argv[1:5] == [
        "AWS_SSM_START_SESSION_RESPONSE",
        "us-east-1",
        "StartSession",
        "ssmclient-session",
    ]
    assert json.loads(argv[5]) == {
        "Target": target,
        "DocumentName": "AWS-StartSSHSession",
        "Parameters": {"portNumber": ["2222"]},
    }
    # Credentials only in the plugin's environment: the hop-2 role's, not alice's own keys.
    env = recorded["env"]
    assert isinstance(env, dict)
    present = set(recorded["env_present"])
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} <= present
    assert not present & {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"}
    key = env["AWS_ACCESS_KEY_ID"]
    assert key != alice.scenario.alice_access_key_id
    assert not any(key in str(word) for word in argv)
    callers = {r.access_key_id: str(r.caller) for r in alice.requests("GetCallerIdentity")}
    assert ":assumed-role/SSMStartSession_IAM_Role_ThirdPartyA/" in callers[key]

    # Standard output is the plugin's, byte for byte: ssh reads nothing else from us.
    payload = recorded["payload"]
    assert isinstance(payload, dict)
    session_id = payload["SessionId"]
    assert stdout == (
        f"\nStarting session with SessionId: {session_id}\n".encode()
        + SSH_BYTES
        + f"\n\nExiting session with sessionId: {session_id}.\n\n".encode()
    )
    [entry] = history()
    assert (entry["document"], entry["session_id"], entry["outcome"]) == (
        SSH_DOCUMENT,
        session_id,
        "ended",
    )
    assert entry["instance_id"] == target


def test_the_port_defaults_to_22() -> None:
    args = build_parser().parse_args(["ssh-proxy", "--profile", "P", "i-0123456789abcdef0"])
    assert (args.command, args.port, args.instance_id) == ("ssh-proxy", 22, "i-0123456789abcdef0")


@pytest.mark.parametrize("port", ["0", "65536", "ssh"])
def test_a_bad_port_is_exit_2(run: Run, port: str) -> None:
    status, out, err = run("ssh-proxy", "--profile", "P", "i-0123456789abcdef0", "--port", port)
    assert (status, out) == (2, "")
    assert "--port" in one_error_line(err)


def test_a_denied_instance_is_one_line_exit_1(
    alice: Sandbox, ssh_profile: str, plugin_record: Path, run: Run
) -> None:
    status, out, err = run("ssh-proxy", "--profile", ssh_profile, alice.scenario.instances_b[0])
    assert (status, out) == (1, "")
    assert "AccessDeniedException" in one_error_line(err)
    assert sessions(plugin_record) == []
    [entry] = history()
    assert entry["document"] == SSH_DOCUMENT
    assert str(entry["outcome"]).startswith("failed: ")


@pytest.mark.parametrize("instance_id", ["bad", "i-123", "%h"])
def test_a_bad_instance_id_is_exit_2_before_the_keyring_or_aws(
    alice: Sandbox,
    ssh_profile: str,
    run: Run,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    instance_id: str,
) -> None:
    # A locked keyring or a missing plugin would be exit 1: the id is checked first.
    memory_keyring.locked = True
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(tmp_path / "missing"))
    alice.clear_requests()
    status, out, err = run("ssh-proxy", "--profile", ssh_profile, instance_id)
    assert (status, out) == (2, "")
    assert one_error_line(err).startswith("ssmclient: INSTANCE_ID: ")
    assert alice.requests() == []


def test_a_profile_without_the_ssh_document_says_so(
    alice: Sandbox, record: ProfileRecord, plugin_record: Path, run: Run
) -> None:
    # The sandbox's profile file lists no documents: the default ones, without SSH.
    assert SSH_DOCUMENT not in record.profile.documents
    status, out, err = run("ssh-proxy", "--profile", record.name, alice.scenario.instances_a[0])
    assert (status, out) == (2, "")
    assert "does not offer AWS-StartSSHSession sessions" in one_error_line(err)
    assert alice.count("StartSession") == 0
    assert sessions(plugin_record) == []


def test_a_failure_while_the_plugin_runs_terminates_the_session(
    alice: Sandbox,
    ssh_profile: str,
    plugin_record: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def plugin_fails(_invocation: object) -> int:
        raise SsmClientError("session-manager-plugin could not be started: Permission denied")

    monkeypatch.setattr("ssmclient.core.sessions.connector.run_inline", plugin_fails)
    status, out, err = run("ssh-proxy", "--profile", ssh_profile, alice.scenario.instances_a[0])
    assert (status, out) == (1, "")
    assert "could not be started" in one_error_line(err)
    assert alice.count("StartSession") == 1
    assert alice.count("TerminateSession") == 1
    [entry] = history()
    assert entry["outcome"] == (
        "failed: session-manager-plugin could not be started: Permission denied"
    )


def test_a_plugin_that_fails_is_exit_1(
    alice: Sandbox,
    ssh_profile: str,
    plugin_record: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ssmclient.core.sessions.connector.run_inline", lambda _invocation: -9)
    status, out, err = run("ssh-proxy", "--profile", ssh_profile, alice.scenario.instances_a[0])
    assert (status, out) == (1, "")
    assert one_error_line(err) == "ssmclient: session-manager-plugin exited with status -9"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signal_name", "status", "outcome"),
    [
        ("SIGHUP", 0, "ended"),  # what ssh sends its ProxyCommand when it exits
        ("SIGTERM", 130, "interrupted"),
    ],
)
def test_a_signal_ends_the_plugin_and_the_session(
    alice: Sandbox,
    ssh_profile: str,
    plugin_record: Path,
    signal_name: str,
    status: int,
    outcome: str,
) -> None:
    child = proxy_command(alice, ssh_profile, alice.scenario.instances_a[0])
    assert child.stdin is not None
    assert child.stdout is not None
    assert child.stderr is not None
    try:
        assert child.stdout.readline() == b"\n"
        assert child.stdout.readline().startswith(b"Starting session with SessionId: ")
        child.send_signal(getattr(signal, signal_name))
        assert child.wait(30) == status
        # With stdin still open, stdout ends only if the plugin did not stay behind.
        rest = threading.Thread(target=child.stdout.read, daemon=True)
        rest.start()
        rest.join(10)
        assert not rest.is_alive(), "the plugin outlived ssmclient"
    finally:
        if child.poll() is None:
            child.kill()
        child.stdin.close()
    assert child.stderr.read() == b""
    # ssmclient ends the session after the plugin stops (the plugin sends no
    # TerminateSession, and the SSH stream's end closed the channel too).
    assert alice.count("TerminateSession") == 1
    [entry] = history()
    assert entry["outcome"] == outcome


# -- MFA: stdin is ssh's connection, so the code never comes from it --------------------


@pytest.fixture
def mfa_profile(alice: Sandbox, ssh_profile: str, run: Run) -> str:
    scenario = alice.scenario
    status, _, err = run(
        "profile", "set-source", ssh_profile, "--source-role-arn", scenario.partner_mfa_role_arn,
        "--mfa-serial", scenario.mfa_serial,
    )  # fmt: skip
    assert status == 0, err
    return ssh_profile


def test_without_a_terminal_mfa_says_to_set_the_variable_and_never_reads_stdin(
    alice: Sandbox,
    mfa_profile: str,
    plugin_record: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(prompts, "TTY_PATH", str(tmp_path / "no-tty"))
    stream = io.StringIO(alice.scenario.mfa_code + "\n")
    stream.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stream)

    def no_getpass(_prompt: str) -> str:
        raise AssertionError("getpass may fall back to stdin")

    monkeypatch.setattr("getpass.getpass", no_getpass)
    status, out, err = run("ssh-proxy", "--profile", mfa_profile, alice.scenario.instances_a[0])
    assert (status, out) == (2, "")
    line = one_error_line(err)
    assert line.startswith(f"ssmclient: MFA code: needed for {alice.scenario.mfa_serial}")
    assert line.endswith("set SSMCLIENT_MFA_CODE")
    assert stream.tell() == 0
    assert alice.count("AssumeRole") == 0


def test_mfa_code_from_the_environment(
    alice: Sandbox, mfa_profile: str, plugin_record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSMCLIENT_MFA_CODE", alice.scenario.mfa_code)
    child = proxy_command(alice, mfa_profile, alice.scenario.instances_a[0])
    stdout, stderr = child.communicate(SSH_BYTES, timeout=120)
    assert child.returncode == 0, stderr.decode()
    assert SSH_BYTES in stdout
    [recorded] = sessions(plugin_record)
    # The code is not handed on to the plugin.
    assert "SSMCLIENT_MFA_CODE" not in recorded["env_present"]


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX terminal")
def test_mfa_code_is_read_from_the_terminal_without_echo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pty

    monkeypatch.delenv("SSMCLIENT_MFA_CODE", raising=False)
    controller, terminal = pty.openpty()
    monkeypatch.setattr(prompts, "TTY_PATH", os.ttyname(terminal))
    monkeypatch.setattr("sys.stdin", io.StringIO("999999\n"))
    shown = bytearray()

    def typist() -> None:
        # Type only once the prompt is up: the prompt flushes what was typed ahead.
        while b"MFA code for arn:aws:iam::1:mfa/me: " not in shown:
            shown.extend(os.read(controller, 1024))
        time.sleep(0.2)
        os.write(controller, b"123456\n")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not shown.endswith(b"\n"):
            shown.extend(os.read(controller, 1024))

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    try:
        assert tty_mfa_prompt("arn:aws:iam::1:mfa/me") == "123456"
        thread.join(10)
    finally:
        os.close(terminal)
        os.close(controller)
    assert b"123456" not in shown  # echo was off
    assert sys.stdin.read() == "999999\n"  # stdin untouched


def test_the_code_is_handed_to_the_chain_which_checks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # One check for every prompt: the role chain's (a malformed code is refused there
    # before any AssumeRole, tests/core/aws/test_aws_role_chain_unit.py).
    monkeypatch.setenv("SSMCLIENT_MFA_CODE", " 12345 ")
    assert tty_mfa_prompt("arn:aws:iam::1:mfa/me") == " 12345 "  # the chain strips it too
