"""What the sandbox does not emulate, and its own faults, are answered once in the service's
protocol, as AWS answers; actions the caller's policies do not allow are denied first."""

from typing import Any

import pytest
from sandbox_helpers import host_admin, make_client

from ssmclient.sandbox import ssm_handler
from ssmclient.sandbox.client import Sandbox


def test_an_action_moto_lacks_is_not_implemented_once_and_in_json(aws_sandbox: Sandbox) -> None:
    ssm = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.get_inventory()
    assert caught.value.response["Error"]["Code"] == "NotImplemented"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "does not emulate ssm:GetInventory" in caught.value.response["Error"]["Message"]
    assert [r.status for r in aws_sandbox.requests("GetInventory")] == [400]


def test_an_action_the_host_role_may_not_call_is_denied_before_anything(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    ssm = make_client(aws_sandbox, "ssm", host_a)
    for call in (ssm.get_inventory, ssm.list_documents):
        with pytest.raises(ssm.exceptions.ClientError) as caught:
            call()
        error = caught.value.response["Error"]
        assert error["Code"] == "AccessDeniedException"
        assert "because no identity-based policy allows" in error["Message"]
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.describe_sessions(State="Active")
    assert "with an explicit deny" in caught.value.response["Error"]["Message"]


def test_a_fault_of_the_emulation_is_a_server_error_in_the_services_protocol(
    aws_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("emulation bug")

    monkeypatch.setattr(ssm_handler, "handle", broken)
    ssm = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.describe_sessions(State="Active")
    assert caught.value.response["Error"]["Code"] == "InternalServerError"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
