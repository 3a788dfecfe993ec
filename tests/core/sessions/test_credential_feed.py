"""The credential feed: plugins a running ssmclient started get fresh credentials from it.

Through the same path the plugin's SDK takes: the profile in its own AWS config, whose
credential_process is `ssmclient __credentials ADDRESS`, with the key in the environment.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import botocore.session
import pytest

from ssmclient.core.aws.role_chain import RoleChain
from ssmclient.core.errors import SsmClientError
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_model import ProfileRecord
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.sessions.connector import SessionConnector
from ssmclient.core.sessions.credential_feed import (
    KEY_VARIABLE,
    PROFILE_NAME,
    CredentialFeed,
    FedCredentials,
)
from ssmclient.core.sessions.history import SessionHistory
from ssmclient.sandbox.client import Sandbox
from ssmclient.sandbox.session_program import read_records

LATER = datetime(2030, 1, 1, tzinfo=UTC)


class Counter:
    """Hands out AKIA...0001, ...0002, ...: each request gets the next set."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> FedCredentials:
        self.calls += 1
        return FedCredentials(f"ASIAFEED{self.calls:012d}", "s" * 40, "token", LATER)


@pytest.fixture
def feed() -> Iterator[CredentialFeed]:
    served = CredentialFeed(Counter())
    yield served
    served.close()


def helper(
    feed: CredentialFeed, command: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(feed.plugin_environment())
    base.update(env)
    if command is None:
        command = credential_process(feed)
    return subprocess.run(
        ["/bin/sh", "-c", command],  # as the plugin's SDK runs it on Unix
        env=base,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def credential_process(feed: CredentialFeed) -> str:
    text = feed.config_file.read_text(encoding="utf-8")
    return text.split("credential_process = ", 1)[1].strip()


def test_each_request_gets_the_feeds_current_credentials(feed: CredentialFeed) -> None:
    first, second = helper(feed), helper(feed)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {
        "Version": 1,
        "AccessKeyId": "ASIAFEED000000000001",
        "SecretAccessKey": "s" * 40,
        "SessionToken": "token",
        "Expiration": LATER.isoformat(),
    }
    assert json.loads(second.stdout)["AccessKeyId"] == "ASIAFEED000000000002"


def test_the_config_and_the_socket_are_the_users_only(feed: CredentialFeed) -> None:
    assert feed.config_file.stat().st_mode & 0o077 == 0
    assert Path(feed.address).parent.stat().st_mode & 0o077 == 0
    text = feed.config_file.read_text()
    assert text.startswith(f"[profile {PROFILE_NAME}]\ncredential_process = ")
    assert feed.plugin_environment()[KEY_VARIABLE] not in text  # the key is never in a file


def test_botocore_reads_the_profile_as_the_plugins_sdk_does(
    feed: CredentialFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in feed.plugin_environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAINTHEENVIRONMENT")  # ignored: a profile is named
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x" * 40)
    credentials = botocore.session.Session(profile=PROFILE_NAME).get_credentials()
    assert credentials is not None
    assert credentials.get_frozen_credentials().access_key.startswith("ASIAFEED")


def test_without_its_ssmclient_the_helper_hands_out_the_first_credentials(
    feed: CredentialFeed,
) -> None:
    first = {
        "AWS_ACCESS_KEY_ID": "ASIAFIRSTFIRSTFIRST1",
        "AWS_SECRET_ACCESS_KEY": "f" * 40,
        "AWS_SESSION_TOKEN": "first-token",
        "AWS_CREDENTIAL_EXPIRATION": "2029-01-01T00:00:00+00:00",
    }
    command = credential_process(feed)
    feed.close()
    done = helper(feed, command, **first)
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert (output["AccessKeyId"], output["Expiration"]) == (
        "ASIAFIRSTFIRSTFIRST1",
        "2029-01-01T00:00:00+00:00",
    )
    nothing = helper(feed, command)
    assert nothing.returncode == 1
    assert nothing.stdout == ""
    assert "no longer running" in nothing.stderr


def test_a_wrong_key_gets_nothing(feed: CredentialFeed) -> None:
    done = helper(feed, **{KEY_VARIABLE: "00" * 32})
    assert done.returncode == 1
    assert "ASIAFEED" not in done.stdout


def test_a_chain_that_cannot_refresh_says_why() -> None:
    def failing() -> FedCredentials:
        raise SsmClientError("hop 2 (arn:aws:iam::111122223333:role/R): AccessDenied: no")

    feed = CredentialFeed(failing)
    try:
        done = helper(feed)
    finally:
        feed.close()
    assert done.returncode == 1
    assert "AccessDenied" in done.stderr


# -- a forward that outlives its first credentials, in the sandbox ------------------------


@pytest.mark.slow
@pytest.mark.parametrize("keep_fresh", [True, False], ids=["fed", "frozen"])
def test_a_forward_outlives_its_first_credentials_only_when_fed(
    record: ProfileRecord,
    store: ProfileStore,
    alice: Sandbox,
    plugin_record: Path,
    keep_fresh: bool,
) -> None:
    alice.set_credential_lifetime(6)  # the sandbox's clock for credentials: 6 s, not an hour
    chain = RoleChain.from_record(record, store)
    connector = SessionConnector(
        record, chain, SessionHistory(config_dir()), keep_plugins_fresh=keep_fresh
    )
    forward = connector.forward(alice.scenario.instances_a[0], 22)
    try:
        (call,) = [r for r in read_records(plugin_record) if r["argv"][1:] != ["--version"]]
        first_key = call["env"]["AWS_ACCESS_KEY_ID"]
        time.sleep(8)  # the plugin's first credentials have expired
        alice.clear_requests()
        os.kill(call["pid"], signal.SIGUSR1)  # the stand-in's dropped connection
        deadline = time.monotonic() + 30
        while not alice.requests("ResumeSession") and time.monotonic() < deadline:
            time.sleep(0.1)
        (resume,) = alice.requests("ResumeSession")
    finally:
        forward.stop()
        connector.close()
        alice.set_credential_lifetime(None)
    if keep_fresh:
        assert resume.status == 200
        assert resume.access_key_id != first_key  # new credentials, from the feed
    else:
        assert resume.status == 400  # ExpiredToken: a frozen copy dies with its hour
        assert resume.access_key_id == first_key


def test_the_helper_is_started_without_qt_or_botocore() -> None:
    # It runs for every refresh of every plugin: it must stay small.
    code = (
        "import sys; sys.argv = ['ssmclient', '__credentials', '/nonexistent/feed']; "
        "from ssmclient.__main__ import main; status = main(); "
        "heavy = ('botocore', 'PySide6', 'boto3'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
