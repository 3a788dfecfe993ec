"""The role chain's AssumeRole parameters and refresh, with STS answered in-process.

A `before-call` handler answers every STS call of every client the chain
makes (as botocore's Stubber does for one client), recording what was sent.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from ssmclient.core.aws.role_chain import ChainSettings, RoleChain, default_session_name
from ssmclient.core.aws.step_errors import StepError
from ssmclient.core.errors import InputError

HOST = "arn:aws:iam::111122223333:role/Host"
MINE = "arn:aws:iam::444455556666:role/Mine"
SERIAL = "arn:aws:iam::444455556666:mfa/alice"


class FakeSts:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.lifetime = timedelta(hours=1)
        self.deny: set[str] = set()

    def handler(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[Any, Any]:
        body = dict(params["body"])
        self.calls.append(body)
        http = AWSResponse("https://sts", 200, HTTPHeaders(), None)
        if body.get("RoleArn") in self.deny:
            error = {"Error": {"Code": "AccessDenied", "Message": "denied"}}
            return AWSResponse("https://sts", 403, HTTPHeaders(), None), {
                **error,
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
        if body["Action"] == "GetCallerIdentity":
            return http, {
                "Arn": "arn:aws:iam::444455556666:user/alice",
                "Account": "4",
                "UserId": "U",
            }
        n = len(self.calls)
        role = body["RoleArn"].rsplit("/", 1)[-1]
        return http, {
            "Credentials": {
                "AccessKeyId": f"ASIA{n:016d}",
                "SecretAccessKey": "s" * 40,
                "SessionToken": f"token-{n}",
                "Expiration": datetime.now(UTC) + self.lifetime,
            },
            "AssumedRoleUser": {
                "Arn": f"arn:aws:sts::1:assumed-role/{role}/{body['RoleSessionName']}",
                "AssumedRoleId": "AROA:x",
            },
        }

    def assume_calls(self) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["Action"] == "AssumeRole"]


@pytest.fixture
def fake_sts(monkeypatch: pytest.MonkeyPatch) -> FakeSts:
    fake = FakeSts()
    original = botocore.session.Session.create_client

    def create_client(self: botocore.session.Session, service: str, *a: Any, **kw: Any) -> Any:
        client = original(self, service, *a, **kw)
        if service == "sts":
            handler: Any = fake.handler
            client.meta.events.register("before-call.sts.*", handler)
        return client

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x" * 40)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    return fake


def _chain(prompt: Callable[[str], str] | None = None, **overrides: Any) -> RoleChain:
    values: dict[str, Any] = {
        "role_arn": HOST,
        "external_id": "Ext-Secret-1",
        "region": "us-east-1",
        "session_name": "alice",
        "source_role_arn": MINE,
        **overrides,
    }
    settings = ChainSettings(**values)
    return RoleChain(botocore.session.Session(), settings, mfa_prompt=prompt)


def test_two_hops_with_external_id_and_source_identity(fake_sts: FakeSts) -> None:
    chain = _chain(source_identity="alice", duration=1800)
    hop1 = chain.hop1()
    hop2 = chain.hop2()
    assert hop1 is not None
    assert hop1.assumed_role_arn.endswith("/Mine/alice")
    assert hop2.assumed_role_arn.endswith("/Host/alice")
    first, second = fake_sts.assume_calls()
    assert first["RoleArn"] == MINE
    assert "ExternalId" not in first
    assert second["RoleArn"] == HOST
    assert second["ExternalId"] == "Ext-Secret-1"
    for call in (first, second):
        assert call["RoleSessionName"] == "alice"
        assert call["SourceIdentity"] == "alice"
        assert str(call["DurationSeconds"]) == "1800"
    frozen = chain.credentials().get_frozen_credentials()
    assert frozen.token == "token-2"


def test_without_source_role_hop2_uses_the_source_directly(fake_sts: FakeSts) -> None:
    chain = _chain(source_role_arn=None)
    assert chain.hop1() is None
    chain.hop2()
    (only,) = fake_sts.assume_calls()
    assert only["RoleArn"] == HOST
    assert "SourceIdentity" not in only


def test_mfa_goes_on_hop1_only_and_is_asked_once(fake_sts: FakeSts) -> None:
    asked: list[str] = []

    def prompt(serial: str) -> str:
        asked.append(serial)
        return "123456"

    chain = _chain(prompt, mfa_serial=SERIAL)
    chain.hop2()
    first, second = fake_sts.assume_calls()
    assert (first["SerialNumber"], first["TokenCode"]) == (SERIAL, "123456")
    assert "SerialNumber" not in second
    assert asked == [SERIAL]


def test_bad_mfa_code_is_an_input_error(fake_sts: FakeSts) -> None:
    chain = _chain(lambda _serial: "12345", mfa_serial=SERIAL)
    with pytest.raises(InputError, match="6 digits"):
        chain.hop1()
    assert fake_sts.assume_calls() == []


def test_expiring_host_credentials_refresh_themselves(fake_sts: FakeSts) -> None:
    fake_sts.lifetime = timedelta(seconds=30)  # inside botocore's mandatory refresh window
    chain = _chain()
    credentials = chain.credentials()
    assert len(fake_sts.assume_calls()) == 2
    refreshed = credentials.get_frozen_credentials()
    assert len(fake_sts.assume_calls()) == 3
    assert fake_sts.assume_calls()[-1]["RoleArn"] == HOST
    assert refreshed.token == "token-3"


@pytest.mark.parametrize("mfa", [False, True])
def test_credentials_with_minutes_left_are_used_not_refreshed(fake_sts: FakeSts, mfa: bool) -> None:
    # 12 minutes left: inside botocore's default windows (15 and 10 minutes),
    # which would renew (and, with MFA, ask for a code) on every request.
    fake_sts.lifetime = timedelta(minutes=12)
    chain = _chain(lambda _serial: "123456", mfa_serial=SERIAL) if mfa else _chain()
    credentials = chain.credentials()
    calls = len(fake_sts.assume_calls())
    for _ in range(3):
        credentials.get_frozen_credentials()
    assert len(fake_sts.assume_calls()) == calls


def test_hop2_denied_is_a_step_error_with_the_host_contact(fake_sts: FakeSts) -> None:
    fake_sts.deny.add(HOST)
    chain = _chain(host_contact="ops@example.com")
    with pytest.raises(StepError) as info:
        chain.hop2()
    assert info.value.message.startswith(f"hop 2 ({HOST}): AccessDenied")
    assert "ops@example.com" in info.value.message
    assert "Ext-Secret-1" not in info.value.message


def test_caller_identity(fake_sts: FakeSts) -> None:
    assert _chain().caller_identity() == "arn:aws:iam::444455556666:user/alice"


def test_default_session_name_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    from ssmclient.core.aws.naming import check_session_name

    for user in ("alice", "Jane Doe, Ops", "x", "", "名前"):
        monkeypatch.setattr("getpass.getuser", lambda user=user: user)
        name = default_session_name()
        assert check_session_name(name) is None, (user, name)
    monkeypatch.setattr("getpass.getuser", lambda: "bob")
    assert default_session_name() == "bob"
