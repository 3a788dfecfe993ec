"""Fixtures for the `instances` and `doctor` CLI tests (requested explicitly, never autouse)."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ssmclient.cli.main import main
from ssmclient.sandbox.client import Sandbox

PROFILE_NAME = "Sandbox Host (Third_Party_A)"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli_alice(alice: Sandbox) -> Sandbox:
    """This process acting as alice against the sandbox (see tests/aws_fixtures.py)."""
    return alice


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run


@pytest.fixture
def imported(cli_alice: Sandbox, run: Run) -> str:
    """The host's A profile imported through the CLI; returns its name."""
    status, _, err = run("profile", "import", str(cli_alice.scenario.profile_file), "--yes")
    assert status == 0, err
    return PROFILE_NAME


@pytest.fixture
def variant(cli_alice: Sandbox, run: Run, tmp_path: Path) -> Callable[..., str]:
    """Imports a copy of the host's profile file with some fields changed; returns its name."""

    def make(**changes: Any) -> str:
        document = json.loads(cli_alice.scenario.profile_file.read_text(encoding="utf-8"))
        document.update(changes)
        path = tmp_path / "variant.ssmprofile"
        path.write_text(json.dumps(document), encoding="utf-8")
        status, _, err = run("profile", "import", str(path), "--yes")
        assert status == 0, err
        return str(document["name"])

    return make
