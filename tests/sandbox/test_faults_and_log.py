"""Fault injection, the request log and the control API."""

import json
import time
import urllib.error
import urllib.request

import botocore
import botocore.config
import botocore.exceptions
import pytest
from sandbox_helpers import hop1, make_client

from ssmclient.sandbox.client import Sandbox, SandboxControlError

RETRYING = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"})


def test_throttle_once_then_botocore_retries(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("GetCallerIdentity", "throttle", count=1)
    sts = make_client(aws_sandbox, "sts", config=RETRYING)
    answer = sts.get_caller_identity()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    statuses = [r.status for r in aws_sandbox.requests("GetCallerIdentity")]
    assert statuses == [400, 200]
    assert aws_sandbox.requests("GetCallerIdentity")[0].fault == "throttle"


@pytest.mark.parametrize(
    ("service", "call", "code", "status"),
    [
        ("sts", lambda c: c.get_caller_identity(), "Throttling", 400),
        ("ssm", lambda c: c.describe_instance_information(), "ThrottlingException", 400),
        ("ec2", lambda c: c.describe_instances(), "RequestLimitExceeded", 503),
    ],
)
def test_throttling_has_each_protocols_shape(
    aws_sandbox: Sandbox, service: str, call: object, code: str, status: int
) -> None:
    action = {
        "sts": "GetCallerIdentity",
        "ssm": "DescribeInstanceInformation",
        "ec2": "DescribeInstances",
    }[service]
    aws_sandbox.inject_fault(action, "throttle")
    client = make_client(aws_sandbox, service)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(client)  # type: ignore[operator]
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_server_error_for_every_request_until_cleared(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("AssumeRole", "5xx")
    for _ in range(2):
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            hop1(aws_sandbox)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        assert caught.value.response["Error"]["Code"] == "InternalFailure"
    aws_sandbox.clear_faults()
    hop1(aws_sandbox)


def test_dropped_connection(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("GetCallerIdentity", "drop", count=1)
    sts = make_client(aws_sandbox, "sts")
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        sts.get_caller_identity()
    sts.get_caller_identity()
    assert [r.status for r in aws_sandbox.requests("GetCallerIdentity")] == [0, 200]


def test_latency(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("GetCallerIdentity", "latency", count=1, seconds=0.3)
    sts = make_client(aws_sandbox, "sts")
    began = time.perf_counter()
    sts.get_caller_identity()
    assert time.perf_counter() - began >= 0.3
    began = time.perf_counter()
    sts.get_caller_identity()
    assert time.perf_counter() - began < 0.3


def test_faults_only_hit_their_action(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("DescribeInstances", "5xx")
    make_client(aws_sandbox, "sts").get_caller_identity()


def test_bad_fault_kind_is_refused(aws_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="kind"):
        aws_sandbox.inject_fault("AssumeRole", "explode")


def test_request_log_records_caller_and_status(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    assert aws_sandbox.requests() == []
    credentials = hop1(aws_sandbox)
    with pytest.raises(botocore.exceptions.ClientError):
        make_client(aws_sandbox, "sts", credentials).assume_role(
            RoleArn=scenario.host_role_arn, RoleSessionName="alice"
        )
    records = aws_sandbox.requests("AssumeRole")
    assert [(r.service, r.caller, r.status) for r in records] == [
        ("sts", scenario.alice_user_arn, 200),
        (
            "sts",
            f"arn:aws:sts::{scenario.partner_account}:assumed-role/3P_IAM_Assume_Role/alice",
            403,
        ),
    ]
    assert records[0].access_key_id == scenario.alice_access_key_id
    assert aws_sandbox.count("AssumeRole") == 2
    assert aws_sandbox.count("DescribeInstances") == 0


def test_reset_clears_faults_and_log(aws_sandbox: Sandbox) -> None:
    aws_sandbox.inject_fault("GetCallerIdentity", "5xx")
    with pytest.raises(botocore.exceptions.ClientError):
        make_client(aws_sandbox, "sts").get_caller_identity()
    aws_sandbox.reset()
    make_client(aws_sandbox, "sts").get_caller_identity()
    assert aws_sandbox.count("GetCallerIdentity") == 1


def test_control_api_needs_the_token(aws_sandbox: Sandbox) -> None:
    for path in ("/_sandbox/scenario", "/_sandbox/requests"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(aws_sandbox.endpoint_url + path, timeout=10)  # noqa: S310
        assert caught.value.code == 403
    wrong = Sandbox(aws_sandbox.endpoint_url, "wrong-token")
    with pytest.raises(SandboxControlError):
        wrong.clear_faults()


def test_moto_back_door_is_closed(aws_sandbox: Sandbox) -> None:
    request = urllib.request.Request(  # noqa: S310
        aws_sandbox.endpoint_url + "/moto-api/reset", data=b"", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310
    assert caught.value.code == 404


def test_state_is_shared_over_http(aws_sandbox: Sandbox) -> None:
    # A second handle (as another process would hold) sees the same faults and log.
    token = aws_sandbox._token
    other = Sandbox(aws_sandbox.endpoint_url, token)
    other.inject_fault("GetCallerIdentity", "5xx", count=1)
    with pytest.raises(botocore.exceptions.ClientError):
        make_client(aws_sandbox, "sts").get_caller_identity()
    assert aws_sandbox.count("GetCallerIdentity") == 1
    assert json.dumps(other.scenario.to_json()) == json.dumps(aws_sandbox.scenario.to_json())


def test_unsigned_requests_are_refused(aws_sandbox: Sandbox) -> None:
    unsigned = botocore.config.Config(
        signature_version=botocore.UNSIGNED, retries={"total_max_attempts": 1}
    )
    ssm = make_client(aws_sandbox, "ssm", config=unsigned)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ssm.describe_instance_information()
    assert caught.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"
    sts = make_client(aws_sandbox, "sts", config=unsigned)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.assume_role_with_web_identity(
            RoleArn=aws_sandbox.scenario.partner_role_arn,
            RoleSessionName="web",
            WebIdentityToken="x" * 20,
        )
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
