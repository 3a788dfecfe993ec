"""The sandbox keyring keeps secrets in the sandbox server's memory, never in a file."""

import subprocess
import sys
from pathlib import Path

import pytest

from ssmclient.sandbox import keyring_backend
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.server import SandboxServer


def test_entries_live_in_the_server_and_are_shared_across_processes(
    aws_sandbox: Sandbox,
    aws_sandbox_server: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(keyring_backend.URL_VARIABLE, aws_sandbox.endpoint_url)
    monkeypatch.setenv(keyring_backend.TOKEN_VARIABLE, aws_sandbox_server.control_token)
    backend = keyring_backend.SandboxKeyring()
    backend.set_password("ssmclient", "id/external_id", "SandboxSecret-1")
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ssmclient.sandbox.keyring_backend import SandboxKeyring; "
            "print(SandboxKeyring().get_password('ssmclient', 'id/external_id'))",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert other_process.stdout.strip() == "SandboxSecret-1"
    backend.delete_password("ssmclient", "id/external_id")
    assert backend.get_password("ssmclient", "id/external_id") is None
    with pytest.raises(keyring_backend.PasswordDeleteError):
        backend.delete_password("ssmclient", "id/external_id")
    assert not any(
        b"SandboxSecret-1" in path.read_bytes()
        for path in aws_sandbox_server.state_dir.rglob("*")
        if path.is_file()
    )


def test_a_wrong_token_is_refused(aws_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keyring_backend.URL_VARIABLE, aws_sandbox.endpoint_url)
    monkeypatch.setenv(keyring_backend.TOKEN_VARIABLE, "wrong")
    with pytest.raises(keyring_backend.KeyringError):
        keyring_backend.SandboxKeyring().set_password("ssmclient", "k", "v")


def test_only_a_loopback_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keyring_backend.URL_VARIABLE, "http://example.com:8080")
    monkeypatch.setenv(keyring_backend.TOKEN_VARIABLE, "t")
    with pytest.raises(keyring_backend.KeyringError, match="loopback"):
        keyring_backend.SandboxKeyring().get_password("ssmclient", "k")


def test_in_process_memory_without_a_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(keyring_backend.URL_VARIABLE, raising=False)
    backend = keyring_backend.SandboxKeyring()
    backend.set_password("ssmclient", "m", "v")
    assert backend.get_password("ssmclient", "m") == "v"
    backend.delete_password("ssmclient", "m")
