"""EC2 listing rights and the Session Manager API, checked through botocore's own parsing."""

import re
from typing import Any

import botocore.config
import botocore.exceptions
import pytest
from sandbox_helpers import hop1, hop2, host_admin, make_client

from ssmclient.sandbox.client import Sandbox


def listed(ec2: object, *filters: dict[str, object]) -> list[dict[str, object]]:
    pages = ec2.get_paginator("describe_instances").paginate(Filters=list(filters))  # type: ignore[attr-defined]
    return [i for page in pages for r in page["Reservations"] for i in r["Instances"]]


def test_partner_keys_cannot_list_host_instances(aws_sandbox: Sandbox) -> None:
    for credentials in (None, hop1(aws_sandbox)):
        ec2 = make_client(aws_sandbox, "ec2", credentials)
        with pytest.raises(botocore.exceptions.ClientError) as caught:
            ec2.describe_instances()
        error = caught.value.response["Error"]
        assert error["Code"] == "UnauthorizedOperation"
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert "is not authorized to perform: ec2:DescribeInstances" in error["Message"]


def test_host_role_lists_exactly_its_instances_by_tag(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    scenario = aws_sandbox.scenario
    ec2 = make_client(aws_sandbox, "ec2", host_a)
    by_value = listed(ec2, {"Name": "tag-value", "Values": [scenario.tag_value_a]})
    by_tag = listed(ec2, {"Name": f"tag:{scenario.tag_key}", "Values": [scenario.tag_value_a]})
    assert sorted(i["InstanceId"] for i in by_value) == sorted(scenario.instances_a)  # type: ignore[type-var]
    assert sorted(i["InstanceId"] for i in by_tag) == sorted(scenario.instances_a)  # type: ignore[type-var]
    everything = {i["InstanceId"] for i in listed(ec2)}
    assert everything == set(
        scenario.instances_a + scenario.instances_b + scenario.instances_untagged
    )
    states = {i["InstanceId"]: i["State"]["Name"] for i in by_tag}  # type: ignore[index]
    assert states[scenario.instance_a_stopped] == "stopped"
    names = {
        i["InstanceId"]: {t["Key"]: t["Value"] for t in i.get("Tags", [])}.get("Name")  # type: ignore[attr-defined]
        for i in by_tag
    }
    assert all(names[iid] is None for iid in scenario.instances_a_unnamed)
    assert sum(1 for n in names.values() if n) == len(scenario.instances_a) - len(
        scenario.instances_a_unnamed
    )
    west = make_client(aws_sandbox, "ec2", host_a, region=scenario.second_region)
    assert sorted(i["InstanceId"] for i in listed(west)) == sorted(  # type: ignore[type-var]
        scenario.instances_a_second_region
    )


def test_host_role_cannot_change_instances(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    ec2 = make_client(aws_sandbox, "ec2", host_a)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        ec2.stop_instances(InstanceIds=[aws_sandbox.scenario.instances_a[0]])
    assert caught.value.response["Error"]["Code"] == "UnauthorizedOperation"


def test_start_session_on_an_a_instance(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    scenario = aws_sandbox.scenario
    ssm = make_client(aws_sandbox, "ssm", host_a)
    answer = ssm.start_session(Target=scenario.instances_a[0], Reason="test")
    assert set(answer) - {"ResponseMetadata"} == {"SessionId", "TokenValue", "StreamUrl"}
    session_id = answer["SessionId"]
    assert re.fullmatch(r"alice-[0-9a-f]{17}", session_id)
    assert re.fullmatch(
        rf"wss://ssmmessages\.us-east-1\.amazonaws\.com/v1/data-channel/{session_id}"
        r"\?role=publish_subscribe&cell-number=[\w-]+",
        answer["StreamUrl"],
    )
    # The party may not list sessions; the host may.
    host = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    active = host.describe_sessions(State="Active")["Sessions"]
    assert [(s["SessionId"], s["Target"], s["Status"]) for s in active] == [
        (session_id, scenario.instances_a[0], "Connected")
    ]
    assert active[0]["Owner"].endswith("assumed-role/SSMStartSession_IAM_Role_ThirdPartyA/alice")
    resumed = ssm.resume_session(SessionId=session_id)
    assert resumed["SessionId"] == session_id
    assert resumed["TokenValue"] != answer["TokenValue"]
    assert ssm.terminate_session(SessionId=session_id)["SessionId"] == session_id
    assert host.describe_sessions(State="Active")["Sessions"] == []
    history = host.describe_sessions(State="History")["Sessions"]
    assert [(s["SessionId"], s["Status"]) for s in history] == [(session_id, "Terminated")]
    with pytest.raises(ssm.exceptions.DoesNotExistException):
        ssm.resume_session(SessionId=session_id)


def test_start_session_on_a_b_instance_is_denied_like_aws(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    scenario = aws_sandbox.scenario
    ssm = make_client(aws_sandbox, "ssm", host_a)
    target = scenario.instances_b[0]
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.start_session(Target=target)
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert caught.value.response["Error"]["Message"] == (
        f"User: arn:aws:sts::{scenario.host_account}:assumed-role/"
        f"SSMStartSession_IAM_Role_ThirdPartyA/alice is not authorized to perform: "
        f"ssm:StartSession on resource: arn:aws:ec2:us-east-1:{scenario.host_account}:"
        f"instance/{target} because no identity-based policy allows the ssm:StartSession action"
    )
    for untagged in scenario.instances_untagged:
        with pytest.raises(ssm.exceptions.ClientError):
            ssm.start_session(Target=untagged)


def test_role_b_reaches_b_but_not_a(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    credentials = hop2(
        aws_sandbox, role_arn=scenario.host_role_b_arn, external_id=scenario.external_id_b
    )
    ssm = make_client(aws_sandbox, "ssm", credentials)
    ssm.start_session(Target=scenario.instances_b[0])
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.start_session(Target=scenario.instances_a[0])
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"


def test_stopped_and_unknown_targets_are_not_connected(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    stopped = aws_sandbox.scenario.instance_a_stopped
    unknown = "i-0123456789abcdef0"
    for credentials, target in ((host_a, stopped), (host_admin(aws_sandbox), unknown)):
        ssm = make_client(aws_sandbox, "ssm", credentials)
        with pytest.raises(ssm.exceptions.TargetNotConnected) as caught:
            ssm.start_session(Target=target)
        assert caught.value.response["Error"]["Message"] == f"{target} is not connected."


def test_an_unknown_target_is_denied_to_a_tag_scoped_role(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    # IAM decides first; an instance that does not exist has no tag to match.
    ssm = make_client(aws_sandbox, "ssm", host_a)
    with pytest.raises(ssm.exceptions.AccessDeniedException) as caught:
        ssm.start_session(Target="i-0123456789abcdef0")
    assert "instance/i-0123456789abcdef0" in str(caught.value)


def test_a_document_the_policy_does_not_name_is_denied(
    aws_sandbox: Sandbox, host_a: dict[str, str]
) -> None:
    ssm = make_client(aws_sandbox, "ssm", host_a)
    target = aws_sandbox.scenario.instances_a[0]
    with pytest.raises(ssm.exceptions.AccessDeniedException) as caught:
        ssm.start_session(Target=target, DocumentName="AWS-StartInteractiveCommand")
    assert "document/AWS-StartInteractiveCommand" in str(caught.value)
    port_forward = ssm.start_session(
        Target=target,
        DocumentName="AWS-StartPortForwardingSession",
        Parameters={"portNumber": ["80"]},
    )
    assert port_forward["SessionId"].startswith("alice-")


def test_unknown_document_is_invalid(aws_sandbox: Sandbox) -> None:
    ssm = make_client(aws_sandbox, "ssm", host_admin(aws_sandbox))
    with pytest.raises(ssm.exceptions.InvalidDocument):
        ssm.start_session(Target=aws_sandbox.scenario.instances_a[0], DocumentName="Nope-Doc")


def test_only_own_sessions_can_be_terminated(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.scenario
    mine = make_client(aws_sandbox, "ssm", hop2(aws_sandbox))
    session_id = mine.start_session(Target=scenario.instances_a[0])["SessionId"]
    other_sts = make_client(aws_sandbox, "sts", hop1(aws_sandbox))
    other = make_client(
        aws_sandbox,
        "ssm",
        other_sts.assume_role(
            RoleArn=scenario.host_role_arn, RoleSessionName="bob", ExternalId=scenario.external_id
        )["Credentials"],
    )
    with pytest.raises(other.exceptions.ClientError) as caught:
        other.terminate_session(SessionId=session_id)
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert f"session/{session_id} because" in caught.value.response["Error"]["Message"]


def test_partner_identities_get_ssm_access_denied(aws_sandbox: Sandbox) -> None:
    ssm = make_client(aws_sandbox, "ssm")
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.start_session(Target=aws_sandbox.scenario.instances_a[0])
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(ssm.exceptions.ClientError):
        ssm.describe_instance_information()


def test_describe_instance_information(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    scenario = aws_sandbox.scenario
    ssm = make_client(aws_sandbox, "ssm", host_a)
    pages = list(
        ssm.get_paginator("describe_instance_information").paginate(
            PaginationConfig={"PageSize": 5}
        )
    )
    assert len(pages) > 1
    info = {i["InstanceId"]: i for p in pages for i in p["InstanceInformationList"]}
    assert set(info) == set(
        scenario.instances_a + scenario.instances_b + scenario.instances_untagged
    )
    assert info[scenario.instance_a_stopped]["PingStatus"] == "ConnectionLost"
    assert {
        info[i]["PingStatus"] for i in scenario.instances_a if i != scenario.instance_a_stopped
    } == {"Online"}
    assert info[scenario.instances_a[0]]["PlatformType"] == "Linux"
    tagged = ssm.describe_instance_information(
        Filters=[{"Key": f"tag:{scenario.tag_key}", "Values": [scenario.tag_value_a]}],
        MaxResults=50,
    )["InstanceInformationList"]
    assert sorted(i["InstanceId"] for i in tagged) == sorted(scenario.instances_a)
    one = ssm.describe_instance_information(
        InstanceInformationFilterList=[
            {"key": "InstanceIds", "valueSet": [scenario.instances_b[0]]}
        ]
    )["InstanceInformationList"]
    assert [i["InstanceId"] for i in one] == [scenario.instances_b[0]]


def _essentials(instances: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    return sorted(
        (
            i["InstanceId"],
            i["ImageId"],
            i["State"]["Name"],
            i["State"]["Code"],
            i["InstanceType"],
            int(i["LaunchTime"].timestamp()),
            i["Placement"]["AvailabilityZone"],
            i.get("PrivateIpAddress"),
            i.get("PublicIpAddress"),
            i.get("Platform"),
            i.get("VpcId"),
            i.get("SubnetId"),
            tuple(sorted((t["Key"], t["Value"]) for t in i.get("Tags", []))),
        )
        for i in instances
    )


def test_fast_listing_agrees_with_moto(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    # Listing by InstanceIds is moto's own answer; a plain listing is the layer's.
    scenario = aws_sandbox.scenario
    ec2 = make_client(aws_sandbox, "ec2", host_a)
    every = scenario.instances_a + scenario.instances_b + scenario.instances_untagged
    by_moto = ec2.describe_instances(InstanceIds=every)["Reservations"]
    by_layer = ec2.describe_instances()["Reservations"]
    assert _essentials([i for r in by_layer for i in r["Instances"]]) == _essentials(
        [i for r in by_moto for i in r["Instances"]]
    )
    assert sorted(r["ReservationId"] for r in by_layer) == sorted(
        r["ReservationId"] for r in by_moto
    )
    assert {r["OwnerId"] for r in by_layer} == {scenario.host_account}


def test_listing_filters_and_pages(aws_sandbox: Sandbox, host_a: dict[str, str]) -> None:
    scenario = aws_sandbox.scenario
    ec2 = make_client(aws_sandbox, "ec2", host_a)
    pages = list(
        ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "tag-value", "Values": ["Third_Party_*"]}],
            PaginationConfig={"PageSize": 5},
        )
    )
    assert len(pages) == 2
    ids = [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]
    assert sorted(ids) == sorted(scenario.instances_a + scenario.instances_b)
    running_a = listed(
        ec2,
        {"Name": "tag:ExternalAccessGrantedTo", "Values": ["Third_Party_A"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    )
    assert sorted(i["InstanceId"] for i in running_a) == sorted(  # type: ignore[type-var]
        set(scenario.instances_a) - {scenario.instance_a_stopped}
    )
    # A filter the layer leaves to moto still works.
    vpc = listed(ec2, {"Name": "vpc-id", "Values": ["vpc-none"]})
    assert vpc == []


@pytest.mark.slow
def test_scale_scenario(aws_sandbox: Sandbox) -> None:
    scenario = aws_sandbox.reseed(2500)
    assert len(scenario.instances_a) == 2500
    credentials = hop2(aws_sandbox)
    ec2 = make_client(aws_sandbox, "ec2", credentials)
    found = listed(ec2, {"Name": f"tag:{scenario.tag_key}", "Values": [scenario.tag_value_a]})
    assert len(found) == 2500
    ssm = make_client(aws_sandbox, "ssm", credentials)
    page = ssm.describe_instance_information(MaxResults=50)
    assert len(page["InstanceInformationList"]) == 50
    assert "NextToken" in page


@pytest.mark.parametrize(
    ("max_results", "words"),
    [(4, "greater than or equal to 5"), (51, "less than or equal to 50")],
)
def test_describe_instance_information_pages_are_5_to_50(
    aws_sandbox: Sandbox, host_a: dict[str, str], max_results: int, words: str
) -> None:
    # The service checks the range too (a client may not validate: the AWS CLI's
    # --no-paginate and other SDKs pass it through).
    unchecked = botocore.config.Config(
        parameter_validation=False, retries={"total_max_attempts": 1}
    )
    ssm = make_client(aws_sandbox, "ssm", host_a, config=unchecked)
    with pytest.raises(ssm.exceptions.ClientError) as caught:
        ssm.describe_instance_information(MaxResults=max_results)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert words in caught.value.response["Error"]["Message"]
