"""ec2:DescribeInstances answered by the layer from moto's store, for the common filters.

moto answers DescribeInstances correctly but slowly: its generic serializer and
its per-instance tag lookups cost about 12 ms per instance, half a minute for
the 2,500-instance scale scenario. The layer reads the same instances from
moto's store and writes the EC2 XML itself for requests whose filters it
understands (tag:K, tag-key, tag-value, instance-state-name, instance-id,
instance-type, availability-zone; AWS's `*`/`?` wildcards) without InstanceIds;
anything else still goes to moto. A test checks both give botocore the same
instances, states and tags.
"""

import base64
import fnmatch
import re
from collections.abc import Callable
from xml.sax.saxutils import escape

from ssmclient.sandbox import moto_store
from ssmclient.sandbox.moto_store import InstanceKey, InstanceRecord
from ssmclient.sandbox.wire import Reply, error_reply, request_id, xml_reply

_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
_FILTER_NAME = re.compile(r"Filter\.(\d+)\.Name")

Field = Callable[[InstanceKey], list[str]]
_FIELDS: dict[str, Field] = {
    "tag-key": lambda i: list(i.tags),
    "tag-value": lambda i: list(i.tags.values()),
    "instance-state-name": lambda i: [i.state],
    "instance-id": lambda i: [i.instance_id],
    "instance-type": lambda i: [i.instance_type],
    "availability-zone": lambda i: [i.availability_zone],
}


def _tag_field(tag: str) -> Field:
    def field(instance: InstanceKey) -> list[str]:
        return [instance.tags[tag]] if tag in instance.tags else []

    return field


def _filters(params: dict[str, str]) -> list[tuple[Field, list[str]]] | None:
    """The request's filters, or None when one of them is left to moto."""
    found: list[tuple[Field, list[str]]] = []
    for key, name in params.items():
        match = _FILTER_NAME.fullmatch(key)
        if match is None:
            continue
        index = match.group(1)
        values = [
            value
            for value_key, value in sorted(params.items())
            if value_key.startswith(f"Filter.{index}.Value.")
        ]
        if name.startswith("tag:"):
            found.append((_tag_field(name[4:]), values))
        elif name in _FIELDS:
            found.append((_FIELDS[name], values))
        else:
            return None
    return found


def _matches(instance: InstanceKey, filters: list[tuple[Field, list[str]]]) -> bool:
    return all(
        any(fnmatch.fnmatchcase(actual, wanted) for actual in field(instance) for wanted in values)
        for field, values in filters
    )


def describe_instances(account: str, region: str, params: dict[str, str]) -> Reply | None:
    """The answer, or None when moto should answer (InstanceIds or other filters)."""
    if any(key.startswith("InstanceId.") for key in params):
        return None
    filters = _filters(params)
    if filters is None:
        return None
    selected = [i for i in moto_store.instance_keys(account, region) if _matches(i, filters)]
    start = 0
    if params.get("NextToken"):
        try:
            start = int(base64.urlsafe_b64decode(params["NextToken"].encode()).decode())
        except ValueError:
            return error_reply("ec2", 400, "InvalidParameterValue", "Invalid value for NextToken")
    end = len(selected)
    if params.get("MaxResults"):
        limit = int(params["MaxResults"])
        if not 5 <= limit <= 1000:
            return error_reply(
                "ec2",
                400,
                "InvalidParameterValue",
                f"Value ( {limit} ) for parameter maxResults is invalid. Expecting a value "
                "between 5 and 1000.",
            )
        end = min(end, start + limit)
    page = moto_store.records_of(selected[start:end])
    token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(selected) else None
    return xml_reply(_document(account, page, token))


def _document(account: str, instances: list[InstanceRecord], token: str | None) -> str:
    parts = [f'<DescribeInstancesResponse xmlns="{_NS}"><requestId>{request_id()}</requestId>']
    parts.append("<reservationSet>")
    current: str | None = None
    for instance in instances:
        if instance.reservation_id != current:
            if current is not None:
                parts.append("</instancesSet></item>")
            current = instance.reservation_id
            parts.append(
                f"<item><reservationId>{current}</reservationId><ownerId>{account}</ownerId>"
                "<groupSet/><instancesSet>"
            )
        parts.append(_instance_xml(instance))
    if current is not None:
        parts.append("</instancesSet></item>")
    parts.append("</reservationSet>")
    if token:
        parts.append(f"<nextToken>{token}</nextToken>")
    parts.append("</DescribeInstancesResponse>")
    return "".join(parts)


def _element(name: str, value: str | None) -> str:
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def _instance_xml(i: InstanceRecord) -> str:
    tags = "".join(
        f"<item>{_element('key', k)}{_element('value', v)}</item>" for k, v in i.tags.items()
    )
    return (
        "<item>"
        + _element("instanceId", i.instance_id)
        + _element("imageId", i.image_id)
        + f"<instanceState><code>{i.state_code}</code><name>{i.state}</name></instanceState>"
        + _element("privateDnsName", i.private_dns)
        + _element("dnsName", i.public_dns)
        + _element("keyName", i.key_name)
        + _element("instanceType", i.instance_type)
        + _element("launchTime", i.launch_time)
        + f"<placement>{_element('availabilityZone', i.availability_zone)}</placement>"
        + _element("platform", i.platform)
        + _element("subnetId", i.subnet_id)
        + _element("vpcId", i.vpc_id)
        + _element("privateIpAddress", i.private_ip)
        + _element("ipAddress", i.public_ip)
        + _element("architecture", i.architecture)
        + (f"<tagSet>{tags}</tagSet>" if tags else "")
        + "</item>"
    )
