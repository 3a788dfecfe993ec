"""The session-manager-plugin stand-in: its checks of the calling contract, shell and forwarding."""

import json
import os
import re
import signal
import socket
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import host_admin, make_client

from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import (
    install_stand_in,
    read_records,
    secret_digest,
)

PROGRAM = [sys.executable, "-m", "ssmclient.sandbox.session_program"]


def start(sandbox: Sandbox, credentials: dict[str, str], **request: Any) -> dict[str, Any]:
    ssm = make_client(sandbox, "ssm", credentials)
    request.setdefault("Target", sandbox.scenario.instances_a[0])
    answer = ssm.start_session(**request)
    return {
        "payload": json.dumps({k: answer[k] for k in ("SessionId", "TokenValue", "StreamUrl")}),
        "parameters": json.dumps(request),
        "session_id": answer["SessionId"],
    }


def plugin_env(
    sandbox: Sandbox, credentials: dict[str, str], payload: str, **extra: str
) -> dict[str, str]:
    return sandbox.env(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
        AWS_SSM_START_SESSION_RESPONSE=payload,
        **extra,
    )


def argv(sandbox: Sandbox, parameters: str) -> list[str]:
    return [
        "AWS_SSM_START_SESSION_RESPONSE",
        "us-east-1",
        "StartSession",
        "",
        parameters,
        sandbox.endpoint_url,
    ]


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PROGRAM, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_version(aws_sandbox: Sandbox) -> None:
    done = run(["--version"], aws_sandbox.env())
    assert (done.returncode, done.stdout) == (0, "1.2.764.0\n")


def test_simulated_shell(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    session = start(aws_sandbox, host_a)
    env = plugin_env(aws_sandbox, host_a, session["payload"])
    done = run(argv(aws_sandbox, session["parameters"]), env, stdin="whoami\nls -la\nexit\n")
    assert done.returncode == 0
    target = aws_sandbox.scenario.instances_a[0]
    assert f"sandbox session on {target} as os_user_a_alice; no real instance" in done.stdout
    assert "nothing was run: ls -la" in done.stdout
    assert f"Exiting session with sessionId: {session['session_id']}." in done.stdout
    ssm = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    assert ssm.describe_sessions(State="Active")["Sessions"] == []


def without_keys(env: dict[str, str]) -> dict[str, str]:
    return {
        k: v
        for k, v in env.items()
        if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    }


def with_config(env: dict[str, str], tmp_path: Path, text: str) -> dict[str, str]:
    config = tmp_path / "aws-config"
    config.write_text(text, encoding="utf-8")
    return {**env, "AWS_CONFIG_FILE": str(config)}


def profile_text(name: str, credentials: dict[str, str]) -> str:
    return (
        f"[profile {name}]\n"
        f"aws_access_key_id = {credentials['AccessKeyId']}\n"
        f"aws_secret_access_key = {credentials['SecretAccessKey']}\n"
        f"aws_session_token = {credentials['SessionToken']}\n"
    )


# Each: how a real client may call the real plugin, all accepted by it (session.go).
ACCEPTED = {
    "the AWS CLI's form": lambda a, e, c, t: (a, e),
    "the response as JSON in argv[1] (aws-gate, aws-ssm-juggle)": lambda a, e, c, t: (
        [e["AWS_SSM_START_SESSION_RESPONSE"], *a[1:]],
        {k: v for k, v in e.items() if k != "AWS_SSM_START_SESSION_RESPONSE"},
    ),
    "the legacy three arguments": lambda a, e, c, t: (
        [e["AWS_SSM_START_SESSION_RESPONSE"], *a[1:3]],
        e,
    ),
    "five arguments, no endpoint (AWS_ENDPOINT_URL names the sandbox)": lambda a, e, c, t: (
        a[:5],
        e,
    ),
    "extra keys in the response": lambda a, e, c, t: (
        a,
        {
            **e,
            "AWS_SSM_START_SESSION_RESPONSE": json.dumps(
                {
                    **json.loads(e["AWS_SSM_START_SESSION_RESPONSE"]),
                    "ResponseMetadata": {"HTTPStatusCode": 200},
                }
            ),
        },
    ),
    "AWS_PROFILE beside the environment's keys (the keys win)": lambda a, e, c, t: (
        a,
        {
            **with_config(
                e, t, profile_text("someone-else", {**c, "AccessKeyId": "AKIAOTHEROTHEROTHER1"})
            ),
            "AWS_PROFILE": "someone-else",
        },
    ),
    "a profile in argv[4], from the AWS config": lambda a, e, c, t: (
        [*a[:3], "hop2", *a[4:]],
        with_config(without_keys(e), t, profile_text("hop2", c)),
    ),
    "a profile in argv[4] that chains the roles itself (aws --profile)": lambda a, e, c, t: (
        [*a[:3], "hop2", *a[4:]],
        with_config(without_keys(e), t, t.joinpath("chain-config").read_text(encoding="utf-8")),
    ),
    "no credentials at all (the token alone opens the channel)": lambda a, e, c, t: (
        a,
        {**without_keys(e), "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"},
    ),
    "a profile that does not exist (ec2-juggle's default)": lambda a, e, c, t: (
        [*a[:3], "default", *a[4:]],
        e,
    ),
    "a profile in argv[4] with credential_process": lambda a, e, c, t: (
        [*a[:3], "hop2", *a[4:]],
        with_config(
            without_keys(e),
            t,
            "[profile hop2]\ncredential_process = "
            + f"{sys.executable} -c \"print(open('{t / 'creds.json'}').read())\"\n",
        ),
    ),
}


@pytest.mark.parametrize("form", list(ACCEPTED))
def test_every_form_the_real_plugin_accepts_works(
    aws_sandbox: Sandbox, host_a: dict[str, str], tmp_path: Path, form: str
) -> None:
    (tmp_path / "creds.json").write_text(
        json.dumps(
            {
                "Version": 1,
                "AccessKeyId": host_a["AccessKeyId"],
                "SecretAccessKey": host_a["SecretAccessKey"],
                "SessionToken": host_a["SessionToken"],
            }
        ),
        encoding="utf-8",
    )
    scenario = aws_sandbox.scenario
    endpoint = f"endpoint_url = {aws_sandbox.endpoint_url}\n"
    (tmp_path / "chain-config").write_text(
        f"[profile alice]\naws_access_key_id = {scenario.alice_access_key_id}\n"
        f"aws_secret_access_key = {scenario.alice_secret_access_key}\n{endpoint}"
        f"[profile hop1]\nrole_arn = {scenario.partner_role_arn}\n"
        f"source_profile = alice\n{endpoint}"
        f"[profile hop2]\nrole_arn = {scenario.host_role_arn}\nsource_profile = hop1\n"
        f"external_id = {scenario.external_id}\n{endpoint}",
        encoding="utf-8",
    )
    session = start(aws_sandbox, host_a)
    args, env = ACCEPTED[form](
        argv(aws_sandbox, session["parameters"]),
        plugin_env(aws_sandbox, host_a, session["payload"]),
        host_a,
        tmp_path,
    )
    done = run(args, env, stdin="whoami\nexit\n")
    assert "Cannot perform" not in done.stdout, done.stdout
    assert f"sandbox session on {aws_sandbox.scenario.instances_a[0]}" in done.stdout
    assert f"Exiting session with sessionId: {session['session_id']}." in done.stdout


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a, e: ([*a[:4], "{}", *a[5:]], e), "holds no Target"),
        (
            lambda a, e: (
                a,
                {
                    **e,
                    "AWS_SSM_START_SESSION_RESPONSE": json.dumps(
                        {"SessionId": "alice-0123456789abcdef0"}
                    ),
                },
            ),
            "needs SessionId, TokenValue and StreamUrl",
        ),
        (
            lambda a, e: (a, {k: v for k, v in e.items() if k != "AWS_SSM_START_SESSION_RESPONSE"}),
            "not JSON",
        ),
        (lambda a, e: ([*a[:1], "eu-west-1", *a[2:]], e), "StreamUrl is not this session's"),
        (
            lambda a, e: (
                a,
                {
                    **e,
                    "AWS_SSM_START_SESSION_RESPONSE": json.dumps(
                        {**json.loads(e["AWS_SSM_START_SESSION_RESPONSE"]), "TokenValue": "forged"}
                    ),
                },
            ),
            "refused the session",
        ),
        (
            lambda a, e: ([*a[:5], "https://ssm.us-east-1.amazonaws.com"], e),
            "not a sandbox endpoint",
        ),
        (
            lambda a, e: (a[:5], {k: v for k, v in e.items() if k != "AWS_ENDPOINT_URL"}),
            "calls no AWS",
        ),
    ],
)
def test_what_the_real_plugin_fails_on_fails_like_it(
    aws_sandbox: Sandbox, host_a: dict[str, str], change: Any, expected: str
) -> None:
    session = start(aws_sandbox, host_a)
    args, env = change(
        argv(aws_sandbox, session["parameters"]),
        plugin_env(aws_sandbox, host_a, session["payload"]),
    )
    done = run(args, env)
    assert done.returncode == 0  # the real plugin always exits 0
    assert done.stdout.startswith("Cannot perform start session: ")
    assert expected in done.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            [],
            "\nThe Session Manager plugin was installed successfully. "
            "Use the AWS CLI to start a session.\n\n",
        ),
        (
            ["x", "us-east-1"],
            "\nUnknown operation x. \n"
            "Use session-manager-plugin --version to check the version.\n\n",
        ),
        (["{}", "us-east-1", "Resume"], "Invalid Operation"),
    ],
)
def test_what_the_real_plugin_says_and_stops_at(
    aws_sandbox: Sandbox, args: list[str], said: str
) -> None:
    done = run(args, aws_sandbox.env())
    assert (done.returncode, done.stdout) == (0, said)


def test_other_credentials_cannot_use_the_session(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    session = start(aws_sandbox, host_a)
    scenario = aws_sandbox.scenario
    sts = make_client(aws_sandbox, "sts", host_a)
    del sts
    other_sts = make_client(aws_sandbox, "sts")
    partner = other_sts.assume_role(RoleArn=scenario.partner_role_arn, RoleSessionName="alice")[
        "Credentials"
    ]
    done = run(
        argv(aws_sandbox, session["parameters"]),
        plugin_env(aws_sandbox, partner, session["payload"]),
    )
    assert "Cannot perform start session" in done.stdout


class _Upper(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(1024):
            self.request.sendall(data.upper())


@pytest.fixture
def upper_server() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Upper)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("to_target", [False, True])
def test_port_forwarding_carries_a_real_tcp_connection(
    aws_sandbox: Sandbox, host_a: dict[str, str], upper_server: int, to_target: bool
) -> None:
    session = start(
        aws_sandbox,
        host_a,
        DocumentName="AWS-StartPortForwardingSession",
        Parameters={"portNumber": ["22"], "localPortNumber": ["0"]},
    )
    extra = {"SSMCLIENT_SANDBOX_FORWARD_TO": f"127.0.0.1:{upper_server}"} if to_target else {}
    env = plugin_env(aws_sandbox, host_a, session["payload"], **extra)
    process = subprocess.Popen(
        [*PROGRAM, *argv(aws_sandbox, session["parameters"])],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or lines[-1] != "Waiting for connections...":
            line = process.stdout.readline()
            assert line, f"the program ended early: {lines}"
            lines.append(line.rstrip("\n"))
        opened = re.fullmatch(
            rf"Port (\d+) opened for sessionId {session['session_id']}\.", lines[-2]
        )
        assert opened, lines
        with socket.create_connection(("127.0.0.1", int(opened.group(1))), timeout=10) as conn:
            conn.sendall(b"hello sandbox")
            received = b""
            while len(received) < len(b"hello sandbox"):
                received += conn.recv(1024)
        assert received == (b"HELLO SANDBOX" if to_target else b"hello sandbox")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    # As the real plugin: stopped, it calls no TerminateSession; the session stays open
    # (until its idle timeout on AWS) unless the client that started it ends it.
    assert aws_sandbox.count("TerminateSession") == 0
    ssm = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    active = ssm.describe_sessions(State="Active")["Sessions"]
    assert [s["SessionId"] for s in active] == [session["session_id"]]


def test_recording_stand_in(aws_sandbox: Sandbox, host_a: dict[str, str], tmp_path: Path) -> None:
    record = tmp_path / "calls.jsonl"
    plugin = install_stand_in(tmp_path / "bin", version="1.2.536.0", record_to=record)
    assert plugin.name == "session-manager-plugin"
    assert os.access(plugin, os.X_OK)
    assert plugin.read_text().startswith(f"#!{sys.executable}\n")
    version = subprocess.run(
        [str(plugin), "--version"],
        capture_output=True,
        text=True,
        check=True,
        env=aws_sandbox.env(),
    )
    assert version.stdout == "1.2.536.0\n"
    session = start(aws_sandbox, host_a)
    env = plugin_env(aws_sandbox, host_a, session["payload"])
    subprocess.run(
        [str(plugin), *argv(aws_sandbox, session["parameters"])],
        env=env,
        input="exit\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    calls = read_records(record)
    assert len(calls) == 2
    call = calls[1]
    assert call["cwd"] == str(tmp_path)
    assert call["env"]["AWS_ACCESS_KEY_ID"] == host_a["AccessKeyId"]
    assert call["env"]["AWS_SESSION_TOKEN"] == secret_digest(host_a["SessionToken"])
    assert call["payload"]["TokenValue"] == secret_digest(
        json.loads(session["payload"])["TokenValue"]
    )
    assert "AWS_PROFILE" not in call["env_present"]
    raw = record.read_text()
    assert host_a["SecretAccessKey"] not in raw
    assert host_a["SessionToken"] not in raw
    assert record.stat().st_mode & 0o777 == 0o600


def test_install_refuses_odd_versions(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="version"):
        install_stand_in(tmp_path, version="1.2.3; rm -rf /")
