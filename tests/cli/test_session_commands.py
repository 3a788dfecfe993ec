"""`ssmclient connect`, `forward` and `history`, and conformance with the AWS CLI."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cli_support import run
from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import install_stand_in, read_records

AWS_CLI = Path(sys.executable).with_name("aws")


def sessions(record_to: Path) -> list[dict[str, object]]:
    return [r for r in read_records(record_to) if r["argv"][1:] != ["--version"]]  # type: ignore[index]


@pytest.mark.skipif(not AWS_CLI.exists(), reason="the AWS CLI (awscli) is not installed")
def test_ssmclient_hands_the_plugin_what_the_aws_cli_hands_it(
    record: ProfileRecord,
    chain: RoleChain,
    alice: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = alice.scenario.instances_a[0]
    aws_record = tmp_path / "aws-cli.jsonl"
    ours_record = tmp_path / "ssmclient.jsonl"
    aws_bin = install_stand_in(tmp_path / "aws-bin", record_to=aws_record).parent
    ours_plugin = install_stand_in(tmp_path / "our-bin", record_to=ours_record)

    frozen = chain.credentials().get_frozen_credentials()
    env = alice.env(
        AWS_ACCESS_KEY_ID=frozen.access_key,
        AWS_SECRET_ACCESS_KEY=frozen.secret_key,
        AWS_SESSION_TOKEN=str(frozen.token),
    )
    env["PATH"] = f"{aws_bin}{os.pathsep}{env['PATH']}"
    aws = subprocess.run(
        [str(AWS_CLI), "ssm", "start-session", "--target", target],
        env=env,
        input="exit\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert aws.returncode == 0, aws.stderr

    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(ours_plugin))
    status, _, err = run(
        capsys, "connect", "--profile", record.name, target, "--terminal", "inline"
    )
    assert status == 0, err

    [theirs] = sessions(aws_record)
    [ours] = sessions(ours_record)
    their_argv, our_argv = theirs["argv"], ours["argv"]
    assert isinstance(their_argv, list)
    assert isinstance(our_argv, list)
    assert len(our_argv) == len(their_argv) == 7
    assert (
        our_argv[1:4]
        == their_argv[1:4]
        == ["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession"]
    )
    # The one difference: ssmclient runs as long as an inline plugin, and feeds it
    # fresh credentials through a profile of its own (core/sessions/credential_feed.py).
    assert (their_argv[4], our_argv[4]) == ("", "ssmclient-session")
    assert json.loads(our_argv[5]) == json.loads(their_argv[5]) == {"Target": target}
    assert our_argv[6] == their_argv[6]
    for recorded in (theirs, ours):
        present = set(recorded["env_present"])  # type: ignore[arg-type]
        assert {
            "AWS_SSM_START_SESSION_RESPONSE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        } <= present
        assert "AWS_PROFILE" not in present
        payload = recorded["payload"]
        assert isinstance(payload, dict)
        assert set(payload) == {"SessionId", "TokenValue", "StreamUrl"}
        # The token is never in argv (the stand-in hashes an argv response; none was there).
        assert not any(str(word).startswith("sha256:") for word in recorded["argv"])  # type: ignore[union-attr]
    # Each plugin's credentials resolved to the hop-2 role (the stand-in asked the sandbox).
    callers = {r.access_key_id: str(r.caller) for r in alice.requests("GetCallerIdentity")}
    for recorded in (theirs, ours):
        key = recorded["env"]["AWS_ACCESS_KEY_ID"]  # type: ignore[index]
        assert ":assumed-role/SSMStartSession_IAM_Role_ThirdPartyA/" in callers[key]


def test_connect_denied_is_exit_1_one_line(
    record: ProfileRecord, alice: Sandbox, plugin_record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        "connect",
        "--profile",
        record.name,
        alice.scenario.instances_b[0],
        "--terminal",
        "inline",
    )
    assert status == 1
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "AccessDeniedException" in err
    assert sessions(plugin_record) == []


def test_connect_unknown_terminal_is_exit_2(
    record: ProfileRecord, alice: Sandbox, plugin_record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys,
        "connect",
        "--profile",
        record.name,
        alice.scenario.instances_a[0],
        "--terminal",
        "nope",
    )
    assert status == 2
    assert "--terminal" in err


def test_connect_without_plugin_is_exit_1(
    record: ProfileRecord,
    alice: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(tmp_path / "missing"))
    status, _, err = run(capsys, "connect", "--profile", record.name, alice.scenario.instances_a[0])
    assert status == 1
    assert "session-manager-plugin" in err


def test_reason_reaches_start_session(
    record: ProfileRecord, alice: Sandbox, plugin_record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = alice.scenario.instances_a[0]
    status, _, err = run(
        capsys,
        "connect",
        "--profile",
        record.name,
        target,
        "--terminal",
        "inline",
        "--reason",
        "INC-7 disk full",
    )
    assert status == 0, err
    [recorded] = sessions(plugin_record)
    assert json.loads(recorded["argv"][5]) == {"Target": target, "Reason": "INC-7 disk full"}  # type: ignore[index]
    status, out, _ = run(capsys, "history", "--json")
    [entry] = json.loads(out)
    assert entry["reason"] == "INC-7 disk full"
    assert entry["instance_id"] == target
    assert entry["outcome"] == "ended"


def test_history_human_and_empty(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "history")
    assert (status, out.strip()) == (0, "No sessions yet.")
    assert json.loads(run(capsys, "history", "--json")[1]) == []


def test_history_skips_broken_lines(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config_dir.mkdir(parents=True)
    good = {
        "time": "2026-11-28T00:00:00+00:00",
        "profile": "P",
        "instance_id": "i-0123456789abcdef0",
        "instance_name": None,
        "document": "SSM-SessionManagerRunShell",
        "session_id": "s-1",
        "reason": None,
        "outcome": "ended",
        "region": "us-east-1",
    }
    (config_dir / "history.jsonl").write_text(json.dumps(good) + "\n{cut off\n")
    status, out, err = run(capsys, "history")
    assert status == 0
    assert "i-0123456789abcdef0" in out
    assert "1 unreadable line" in err


def test_forward_prints_the_address_and_stops_on_interrupt(
    record: ProfileRecord, alice: Sandbox, plugin_record: Path, tmp_path: Path, config_dir: Path
) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    threading.Thread(
        target=lambda: listener.accept()[0].sendall(b"SSH-2.0-sandbox\r\n"), daemon=True
    ).start()
    env = {
        **os.environ,
        "SSMCLIENT_SANDBOX_FORWARD_TO": f"127.0.0.1:{listener.getsockname()[1]}",
        "PYTHON_KEYRING_BACKEND": "keyring_support.MemoryKeyring",
    }
    # The child needs the External ID: run it through an in-memory keyring seeded at start.
    key, secret = record.id + "/external_id", alice.scenario.external_id
    seed = (
        "import keyring, sys; from keyring_support import MemoryKeyring; k = MemoryKeyring(); "
        f"k.set_password('ssmclient', {key!r}, {secret!r}); keyring.set_keyring(k); "
        "from ssmclient.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    tests_dir = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([tests_dir, env.get("PYTHONPATH", "")])
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            seed,
            "forward",
            "--profile",
            record.name,
            alice.scenario.instances_a[0],
            "--port",
            "22",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("Forwarding localhost:"), line + (
            child.stderr.read() if child.stderr else ""
        )
        port = int(line.split(":")[1].split()[0])
        assert line.strip().endswith(f"-> {alice.scenario.instances_a[0]}:22")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            assert connection.recv(100).startswith(b"SSH-2.0-sandbox")
        child.send_signal(signal.SIGINT)
        assert child.wait(30) == 130
    finally:
        if child.poll() is None:
            child.kill()
        listener.close()
    deadline = time.monotonic() + 10
    while alice.count("TerminateSession") < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert alice.count("TerminateSession") >= 1
    entries = [json.loads(line) for line in (config_dir / "history.jsonl").read_text().splitlines()]
    assert entries[-1]["outcome"] == "ended"
    assert entries[-1]["document"] == "AWS-StartPortForwardingSession"


@pytest.mark.parametrize(
    ("flags", "field"),
    [
        (("--region", "bad region"), "--region"),
        (("--host", ""), "--host"),
        (("--host", "db;rm -rf /"), "--host"),
    ],
)
def test_bad_forward_flags_are_exit_2(
    record: ProfileRecord,
    alice: Sandbox,
    capsys: pytest.CaptureFixture[str],
    flags: tuple[str, ...],
    field: str,
) -> None:
    target = alice.scenario.instances_a[0]
    status, _, err = run(
        capsys, "forward", "--profile", record.name, target, "--port", "22", *flags
    )
    assert status == 2
    assert err.startswith(f"ssmclient: {field}: ")
    assert alice.count("StartSession") == 0


# What a secret looks like: access key ids, 40-character secret keys, and the long
# opaque tokens of STS sessions and StartSession.
_SECRET_SHAPES = re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}|[A-Za-z0-9/+=]{40,}")


def test_history_records_each_outcome_and_nothing_secret(
    record: ProfileRecord,
    alice: Sandbox,
    plugin_record: Path,
    config_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    scenario = alice.scenario
    attempts = (
        (scenario.instances_a[0], "ended"),
        (scenario.instances_b[0], "failed: "),
        (scenario.instance_a_stopped, "failed: "),
    )
    for target, _ in attempts:
        run(
            capsys,
            *("connect", "--profile", record.name, target, "--terminal", "inline"),
            *("--reason", "ticket CHG-1234"),
        )
    status, out, _ = run(capsys, "history", "--json")
    assert status == 0
    entries = json.loads(out)
    assert [
        (e["instance_id"], e["outcome"][: len(o)])
        for e, (_, o) in zip(entries, attempts, strict=True)
    ] == [(target, outcome) for target, outcome in attempts]
    assert "AccessDeniedException" in entries[1]["outcome"]
    assert "TargetNotConnected" in entries[2]["outcome"]
    assert {e["reason"] for e in entries} == {"ticket CHG-1234"}
    assert entries[0]["session_id"].startswith(record.source.session_name or "")
    text = (config_dir / "history.jsonl").read_text(encoding="utf-8")
    assert scenario.external_id not in text
    assert _SECRET_SHAPES.findall(text) == []
