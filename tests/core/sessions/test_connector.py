"""Shells and port forwards against the sandbox, with the recording stand-in plugin."""

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.sessions.connector import SessionConnector
from ssmclient.core.sessions.history import SessionHistory
from ssmclient.core.sessions.plugin_discovery import PluginMissingError, PluginTooOldError
from ssmclient.core.sessions.session_api import SessionDeniedError
from ssmclient.core.terminals.handoff import HandoffError
from ssmclient.core.terminals.launchers import TerminalMissingError
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import install_stand_in, read_records, secret_digest


@pytest.fixture
def connector(record: ProfileRecord, chain: RoleChain, plugin_record: Path) -> SessionConnector:
    chain.credentials()  # chained up front, as the GUI holds them
    return SessionConnector(record, chain, SessionHistory(config_dir()))


def session_records(plugin_record: Path) -> list[dict[str, object]]:
    return [r for r in read_records(plugin_record) if r["argv"][1:] != ["--version"]]  # type: ignore[index]


def test_inline_shell_hands_the_plugin_the_aws_cli_contract(
    connector: SessionConnector, alice: Sandbox, plugin_record: Path, chain: RoleChain
) -> None:
    target = alice.scenario.instances_a[0]
    alice.clear_requests()
    outcome = connector.open_shell(target, terminal="inline", reason="ticket 42")
    assert outcome.exit_status == 0
    [record] = session_records(plugin_record)
    argv = record["argv"]
    assert isinstance(argv, list)
    assert argv[1:5] == ["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", ""]
    assert json.loads(argv[5]) == {"Target": target, "Reason": "ticket 42"}
    assert argv[6] == alice.endpoint_url
    payload = record["payload"]
    assert isinstance(payload, dict)
    assert set(payload) == {"SessionId", "TokenValue", "StreamUrl"}
    assert payload["SessionId"] == outcome.session_id
    frozen = chain.credentials().get_frozen_credentials()
    env = record["env"]
    assert isinstance(env, dict)
    assert env["AWS_ACCESS_KEY_ID"] == frozen.access_key
    assert env["AWS_SECRET_ACCESS_KEY"] == secret_digest(frozen.secret_key)
    assert env["AWS_SESSION_TOKEN"] == secret_digest(frozen.token)
    assert "AWS_PROFILE" not in env
    # ssmclient itself made one request: StartSession (the plugin makes its own).
    assert alice.count("StartSession") == 1
    assert alice.count("AssumeRole") == 0
    # The stand-in proved the credentials resolve to the hop-2 role.
    callers = {r.caller for r in alice.requests("GetCallerIdentity")}
    assert any("SSMStartSession_IAM_Role_ThirdPartyA" in str(c) for c in callers)


def test_history_records_the_session_without_secrets(
    connector: SessionConnector, alice: Sandbox, chain: RoleChain
) -> None:
    outcome = connector.open_shell(alice.scenario.instances_a[0], terminal="inline")
    entries, unreadable = connector.history.entries()
    assert unreadable == 0
    [entry] = entries
    assert entry.session_id == outcome.session_id
    assert entry.outcome == "ended"
    assert entry.document == "SSM-SessionManagerRunShell"
    text = connector.history.path.read_text()
    frozen = chain.credentials().get_frozen_credentials()
    for secret in (frozen.secret_key, frozen.token, alice.scenario.external_id):
        assert secret not in text


def test_denied_instance_is_a_clear_error_and_no_plugin_runs(
    connector: SessionConnector, alice: Sandbox, plugin_record: Path
) -> None:
    with pytest.raises(SessionDeniedError) as caught:
        connector.open_shell(alice.scenario.instances_b[0], terminal="inline")
    assert "AccessDeniedException" in caught.value.message
    assert "does not allow you a session" in caught.value.message
    assert session_records(plugin_record) == []
    [entry] = connector.history.entries()[0]
    assert entry.outcome.startswith("failed: ")


def test_stopped_instance(connector: SessionConnector, alice: Sandbox) -> None:
    with pytest.raises(SsmClientError, match="not connected to Session Manager"):
        connector.open_shell(alice.scenario.instance_a_stopped, terminal="inline")


def test_bad_instance_id(connector: SessionConnector) -> None:
    with pytest.raises(InputError, match="INSTANCE_ID"):
        connector.open_shell("i-123; rm -rf /", terminal="inline")


def test_plugin_missing_opens_no_session(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(tmp_path / "nowhere" / "session-manager-plugin"))
    with pytest.raises(PluginMissingError):
        connector.open_shell(alice.scenario.instances_a[0], terminal="inline")
    assert alice.count("StartSession") == 0


def test_plugin_gone_after_start_session_terminates_it(
    connector: SessionConnector, alice: Sandbox, plugin_record: Path
) -> None:
    plugin = connector.plugin()
    plugin.path.unlink()
    with pytest.raises(SsmClientError, match="could not be started"):
        connector.open_shell(alice.scenario.instances_a[0], terminal="inline")
    assert alice.count("StartSession") == 1
    assert alice.count("TerminateSession") == 1


def test_plugin_too_old_is_refused_before_anything_is_sent(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    record_to = tmp_path / "old.jsonl"
    old = install_stand_in(tmp_path / "old", version="1.2.497.0", record_to=record_to)
    monkeypatch.setenv("SSMCLIENT_PLUGIN", str(old))
    with pytest.raises(PluginTooOldError):
        connector.open_shell(alice.scenario.instances_a[0], terminal="inline")
    assert alice.count("StartSession") == 0
    assert [r["argv"][1:] for r in read_records(record_to)] == [["--version"]]  # type: ignore[index]


def test_terminal_missing_opens_no_session(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("TERMINAL", raising=False)
    with pytest.raises(TerminalMissingError, match="no terminal program"):
        connector.open_shell(alice.scenario.instances_a[0])
    assert alice.count("StartSession") == 0


def test_terminal_that_never_runs_the_command_terminates_the_session(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERMINAL", "true")  # starts, ignores its arguments, exits with 0
    monkeypatch.setenv("DISPLAY", ":0")  # a display "exists": the terminal is started
    connector.handoff_timeout = 2
    with pytest.raises(HandoffError, match="did not start"):
        connector.open_shell(alice.scenario.instances_a[0])
    assert alice.count("StartSession") == 1
    assert alice.count("TerminateSession") == 1


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(b"echo:" + data)


@pytest.fixture
def echo_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    monkeypatch.setenv("SSMCLIENT_SANDBOX_FORWARD_TO", f"127.0.0.1:{port}")
    yield port
    server.shutdown()
    server.server_close()


def talk(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(data)
        return connection.recv(4096)


def test_port_forwards_carry_real_tcp_and_stop_cleanly(
    connector: SessionConnector, alice: Sandbox, echo_server: int
) -> None:
    first = connector.forward(alice.scenario.instances_a[0], 5432)
    second = connector.forward(alice.scenario.instances_a[1], 3389, host="db.internal")
    try:
        assert first.local_port
        assert second.local_port
        assert first.local_port != second.local_port
        assert talk(first.local_port, b"hello") == b"echo:hello"
        assert talk(second.local_port, b"world") == b"echo:world"
    finally:
        first.stop()
        second.stop()
    assert not first.running
    assert not second.running
    assert alice.count("TerminateSession") >= 2
    outcomes = [e.outcome for e in connector.history.entries()[0]]
    assert outcomes == ["ended", "ended"]
    with pytest.raises(ConnectionRefusedError):
        talk(first.local_port, b"gone")


def test_port_forward_on_a_chosen_local_port(
    connector: SessionConnector, alice: Sandbox, echo_server: int
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        wanted = probe.getsockname()[1]
    forward = connector.forward(alice.scenario.instances_a[0], 22, local_port=wanted)
    try:
        assert forward.local_port == wanted
        assert talk(wanted, b"x") == b"echo:x"
    finally:
        forward.stop()


def test_port_forward_denied(connector: SessionConnector, alice: Sandbox) -> None:
    with pytest.raises(SessionDeniedError):
        connector.forward(alice.scenario.instances_b[0], 22)


def test_ssmclient_secrets_do_not_reach_the_plugin(
    connector: SessionConnector,
    alice: Sandbox,
    plugin_record: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSMCLIENT_MFA_CODE", "123456")
    monkeypatch.setenv("SSMCLIENT_SANDBOX_TOKEN", "control-token")
    connector.open_shell(alice.scenario.instances_a[0], terminal="inline")
    [recorded] = session_records(plugin_record)
    present = set(recorded["env_present"])  # type: ignore[arg-type]
    assert not present & {"SSMCLIENT_MFA_CODE", "SSMCLIENT_SANDBOX_TOKEN"}


def test_interrupt_while_waiting_for_the_forward_terminates_the_session(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssmclient.core.sessions import port_forward

    class InterruptedEvent(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            raise KeyboardInterrupt

    # Only the port forward's own module sees the interrupting Event.
    fake_threading = SimpleNamespace(
        Event=InterruptedEvent, Thread=threading.Thread, Lock=threading.Lock
    )
    monkeypatch.setattr(port_forward, "threading", fake_threading)
    with pytest.raises(KeyboardInterrupt):
        connector.forward(alice.scenario.instances_a[0], 22)
    assert alice.count("TerminateSession") >= 1
    [entry] = connector.history.entries()[0]
    assert entry.outcome == "ended"


def test_interrupt_while_waiting_for_the_window_terminates_the_session(
    connector: SessionConnector, alice: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ssmclient.core.terminals import handoff

    def interrupted(self: object, timeout: float, window_failed: object = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setenv("TERMINAL", "true")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(handoff.HandoffServer, "serve", interrupted)
    with pytest.raises(KeyboardInterrupt):
        connector.open_shell(alice.scenario.instances_a[0])
    assert alice.count("TerminateSession") == 1
    [entry] = connector.history.entries()[0]
    assert entry.outcome == "interrupted"
