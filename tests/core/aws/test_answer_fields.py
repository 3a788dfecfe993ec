"""The service models' answer shapes cut to what the listing reads (answer_fields)."""

from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.parsers import create_parser

from ssmclient.core.aws.answer_fields import READ, cut_to_what_is_read
from ssmclient.core.aws.data_loader import shared_loader
from ssmclient.core.aws.inventory import _page_instances, _statuses
from ssmclient.core.profile_model import InstanceTag


def _whole(service: str) -> dict[str, Any]:
    return Loader().load_service_model(service, "service-2")  # type: ignore[no-any-return]


@pytest.mark.parametrize("service", sorted(READ))
def test_the_shared_models_list_only_the_members_read(service: str) -> None:
    whole = _whole(service)["shapes"]
    shared = shared_loader().load_service_model(service, "service-2")["shapes"]
    for shape, members in READ[service].items():
        assert members <= set(whole[shape]["members"]), "a member botocore's model does not have"
        assert set(shared[shape]["members"]) == members
    # Everything else is botocore's.
    assert {k: v for k, v in shared.items() if k not in READ[service]} == {
        k: v for k, v in whole.items() if k not in READ[service]
    }


def _reachable(shapes: dict[str, Any], name: str, seen: set[str]) -> set[str]:
    if name in seen:
        return seen
    seen.add(name)
    shape = shapes[name]
    for ref in [
        *shape.get("members", {}).values(),
        shape.get("member"),
        shape.get("key"),
        shape.get("value"),
    ]:
        if ref:
            _reachable(shapes, ref["shape"], seen)
    return seen


@pytest.mark.parametrize("service", sorted(READ))
def test_no_shape_cut_is_part_of_a_request(service: str) -> None:
    model = _whole(service)
    inputs: set[str] = set()
    for operation in model["operations"].values():
        if "input" in operation:
            _reachable(model["shapes"], operation["input"]["shape"], inputs)
    assert not inputs & set(READ[service])


def test_the_model_given_is_not_changed() -> None:
    whole = _whole("ec2")
    members = len(whole["shapes"]["Instance"]["members"])
    cut = cut_to_what_is_read("ec2", whole)
    assert len(whole["shapes"]["Instance"]["members"]) == members > len(READ["ec2"]["Instance"])
    assert len(cut["shapes"]["Instance"]["members"]) == len(READ["ec2"]["Instance"])
    assert cut_to_what_is_read("sts", whole) is whole  # nothing read of it is cut


def _parsed(service: str, operation: str, body: bytes, model: dict[str, Any]) -> Any:
    protocol = model["metadata"]["protocol"]
    output = ServiceModel(model, service).operation_model(operation).output_shape
    answer = {"status_code": 200, "headers": {}, "body": body}
    return create_parser(protocol).parse(answer, output)


def _instance_xml(instance_id: str, name: str, *, windows: bool, public_ip: str | None) -> str:
    platform = "<platform>windows</platform>" if windows else ""
    details = "Windows" if windows else "Red Hat Enterprise Linux"
    public = f"<ipAddress>{public_ip}</ipAddress>" if public_ip else ""
    return f"""<item><instanceId>{instance_id}</instanceId><imageId>ami-1</imageId>
      <instanceState><code>16</code><name>running</name></instanceState>
      <privateDnsName>ip-10-0-0-1.ec2.internal</privateDnsName><instanceType>t3.micro</instanceType>
      <launchTime>2026-11-30T08:15:00.000Z</launchTime>
      <placement><availabilityZone>eu-west-1b</availabilityZone><tenancy>default</tenancy></placement>
      {platform}<platformDetails>{details}</platformDetails>
      <privateIpAddress>10.0.0.1</privateIpAddress>{public}
      <blockDeviceMapping><item><deviceName>/dev/xvda</deviceName><ebs><volumeId>vol-1</volumeId>
        <status>attached</status><attachTime>2026-11-30T08:15:01.000Z</attachTime></ebs></item>
      </blockDeviceMapping>
      <networkInterfaceSet><item><networkInterfaceId>eni-1</networkInterfaceId>
        <attachment><attachTime>2026-11-30T08:15:00.000Z</attachTime></attachment>
        <groupSet><item><groupId>sg-1</groupId></item></groupSet></item></networkInterfaceSet>
      <tagSet><item><key>Name</key><value>{name}</value></item>
        <item><key>ExternalAccessGrantedTo</key><value>Third_Party_A</value></item></tagSet>
    </item>"""


# An answer shaped like EC2's, with fields the listing does not read.
DESCRIBE_INSTANCES = f"""<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId><reservationSet><item><reservationId>r-0a</reservationId>
    <ownerId>111122223333</ownerId><groupSet/><instancesSet>
    {_instance_xml("i-0aaa", "web-1", windows=False, public_ip="203.0.113.7")}
    {_instance_xml("i-0bbb", "jump-win", windows=True, public_ip=None)}
  </instancesSet></item></reservationSet>
</DescribeInstancesResponse>""".encode()

DESCRIBE_INSTANCE_INFORMATION = b"""{"InstanceInformationList": [
  {"InstanceId": "i-0aaa", "PingStatus": "Online", "AgentVersion": "3.3.0.0",
   "LastPingDateTime": 1764490500.0, "PlatformType": "Linux", "IsLatestVersion": true},
  {"InstanceId": "i-0bbb", "PingStatus": "ConnectionLost", "PlatformType": "Windows"}]}"""


def test_the_listing_reads_the_same_from_either_model() -> None:
    tag = InstanceTag("ExternalAccessGrantedTo", "Third_Party_A")
    ec2, ssm = _whole("ec2"), _whole("ssm")
    ec2_cut, ssm_cut = cut_to_what_is_read("ec2", ec2), cut_to_what_is_read("ssm", ssm)

    whole = _page_instances(_parsed("ec2", "DescribeInstances", DESCRIBE_INSTANCES, ec2), "r", tag)
    cut = _page_instances(
        _parsed("ec2", "DescribeInstances", DESCRIBE_INSTANCES, ec2_cut), "r", tag
    )
    assert cut == whole
    # Every field the listing shows was in the answer, so the comparison means something.
    web, jump = whole
    assert (web.name, web.state, web.private_ip, web.public_ip) == (
        "web-1",
        "running",
        "10.0.0.1",
        "203.0.113.7",
    )
    assert (web.platform, jump.platform) == ("Red Hat Enterprise Linux", "Windows")
    assert web.availability_zone == "eu-west-1b"
    assert web.launch_time is not None
    assert web.tag_value == "Third_Party_A"

    operation = "DescribeInstanceInformation"
    statuses = _statuses([_parsed("ssm", operation, DESCRIBE_INSTANCE_INFORMATION, ssm)])
    assert statuses == {"i-0aaa": "Online", "i-0bbb": "ConnectionLost"}
    assert (
        _statuses([_parsed("ssm", operation, DESCRIBE_INSTANCE_INFORMATION, ssm_cut)]) == statuses
    )
