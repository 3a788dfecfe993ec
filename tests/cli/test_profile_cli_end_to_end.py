"""The installed `ssmclient` command as a user runs it, with a real Secret Service keyring."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import secret_service
from profile_samples import EXAMPLE, example, write_profile

pytestmark = [
    pytest.mark.secret_service,
    pytest.mark.skipif(not secret_service.available(), reason="gnome-keyring-daemon not installed"),
]


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ssmclient", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def cli(home: Path, tmp_path: Path) -> Iterator[Cli]:
    with secret_service.SecretServiceSession(home) as session:
        env = {
            **session.env,
            "SSMCLIENT_CONFIG_DIR": str(home / ".config" / "ssmclient"),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }
        env.pop("PYTHON_KEYRING_BACKEND", None)
        yield Cli(env)


def test_import_list_show_set_source_remove(cli: Cli, tmp_path: Path) -> None:
    path = write_profile(tmp_path, EXAMPLE)
    imported = cli("profile", "import", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "Imported profile 'Example Corp (Third_Party_A)'" in imported.stdout

    listed = cli("profile", "list", "--json")
    assert listed.returncode == 0
    [entry] = json.loads(listed.stdout)
    assert entry["name"] == EXAMPLE["name"]
    assert entry["instance_tag"] == EXAMPLE["instance_tag"]
    assert entry["source_role_arn"] == EXAMPLE["source_role_arn"]
    assert entry["expires"] is None

    shown = cli("profile", "show", EXAMPLE["name"])
    assert shown.returncode == 0
    assert "in the OS keyring (not shown)" in shown.stdout

    source = cli(
        "profile",
        "set-source",
        EXAMPLE["name"],
        "--access-key-id",
        "AKIAIOSFODNN7EXAMPLE",
        "--mfa-serial",
        "arn:aws:iam::444455556666:mfa/alice",
        "--session-name",
        "alice.partner",
        stdin="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    )
    assert source.returncode == 0, source.stderr
    shown = json.loads(cli("profile", "show", EXAMPLE["name"], "--json").stdout)
    assert shown["source"]["kind"] == "access-key"
    assert shown["source"]["session_name"] == "alice.partner"

    removed = cli("profile", "remove", EXAMPLE["name"], "--yes")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(cli("profile", "list", "--json").stdout) == []


def test_reimport_shows_masked_changes_and_needs_yes(cli: Cli, tmp_path: Path) -> None:
    assert cli("profile", "import", str(write_profile(tmp_path, EXAMPLE))).returncode == 0
    rotated = write_profile(
        tmp_path, example(external_id="RotatedExternalID", region="eu-west-1"), "b.ssmprofile"
    )
    refused = cli("profile", "import", str(rotated))
    assert refused.returncode == 2
    assert "region: us-east-1 -> eu-west-1" in refused.stdout
    assert "external_id: ******** -> ******** (changed)" in refused.stdout
    assert "RotatedExternalID" not in refused.stdout + refused.stderr
    assert "--yes" in refused.stderr
    accepted = cli("profile", "import", str(rotated), "--yes")
    assert accepted.returncode == 0, accepted.stderr
    assert (
        json.loads(cli("profile", "show", EXAMPLE["name"], "--json").stdout)["region"]
        == "eu-west-1"
    )


def test_no_file_under_home_or_config_holds_an_external_id(
    cli: Cli, home: Path, tmp_path: Path
) -> None:
    secrets = []
    for index in range(4):
        external_id = f"TopSecretExternalId{index}xyz"
        secrets.append(external_id)
        document = example(name=f"Party {index}", external_id=external_id)
        result = cli(
            "profile", "import", str(write_profile(tmp_path, document, f"{index}.ssmprofile"))
        )
        assert result.returncode == 0, result.stderr
        assert external_id not in result.stdout + result.stderr
    rotated = example(name="Party 0", external_id="TopSecretExternalIdRotated")
    secrets.append("TopSecretExternalIdRotated")
    assert (
        cli(
            "profile", "import", str(write_profile(tmp_path, rotated, "r.ssmprofile")), "--yes"
        ).returncode
        == 0
    )
    for command in (
        ("profile", "list"),
        ("profile", "list", "--json"),
        ("profile", "show", "Party 1"),
    ):
        result = cli(*command)
        assert not any(s in result.stdout + result.stderr for s in secrets)

    keyring_storage = home / ".local" / "share" / "keyrings"
    checked = 0
    for path in home.rglob("*"):
        if not path.is_file() or keyring_storage in path.parents:
            continue
        content = path.read_bytes()
        checked += 1
        for secret in secrets:
            assert secret.encode() not in content, path
            assert secret.encode("utf-16-le") not in content, path
    assert checked >= 1  # at least the profile store was looked at


def test_without_any_keyring_nothing_is_stored_in_plain_text(tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SSMCLIENT_CONFIG_DIR": str(config),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "DBUS_SESSION_BUS_ADDRESS": "unix:path=" + str(tmp_path / "no-bus"),
    }
    result = Cli(env)("profile", "import", str(write_profile(tmp_path, EXAMPLE)))
    assert result.returncode == 1
    assert result.stderr.startswith("ssmclient: ")
    assert len(result.stderr.splitlines()) == 1
    assert "keyring" in result.stderr
    assert not (config / "profiles.json").exists()
