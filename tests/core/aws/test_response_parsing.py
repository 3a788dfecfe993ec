"""Timestamps parsed without dateutil: the same values botocore gives, quicker."""

from datetime import UTC, datetime, timezone
from typing import Any

import pytest
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from ssmclient.core.aws.response_parsing import parse_timestamp
from ssmclient.core.aws.source_credentials import new_session


@pytest.mark.parametrize(
    "value",
    [
        "2026-01-02T03:04:05.000Z",
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.123456789Z",
        "2026-01-02T03:04:05+02:00",
        "Fri, 02 Jan 2026 03:04:05 GMT",
        1767323045,
        1767323045.5,
        "1767323045",
    ],
)
def test_the_value_botocore_gives(value: Any) -> None:
    ours = parse_timestamp(value)
    assert ours == botocore_parse_timestamp(value)
    assert ours.utcoffset() is not None


def test_a_string_without_a_zone_is_left_to_botocore() -> None:
    value = "2026-01-02T03:04:05"
    assert parse_timestamp(value) == botocore_parse_timestamp(value)


def test_the_sessions_clients_use_it() -> None:
    session = new_session()
    client = session.create_client(
        "ec2",
        region_name="us-east-1",
        aws_access_key_id="AKIAEXAMPLEEXAMPLE00",
        aws_secret_access_key="x" * 40,
    )
    body = (
        b'<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
        b"<reservationSet><item><instancesSet><item><instanceId>i-1</instanceId>"
        b"<launchTime>2026-01-02T03:04:05.000Z</launchTime></item></instancesSet>"
        b"</item></reservationSet></DescribeInstancesResponse>"
    )
    parser = session.get_component("response_parser_factory").create_parser("ec2")
    shape = client.meta.service_model.operation_model("DescribeInstances").output_shape
    parsed = parser.parse({"body": body, "headers": {}, "status_code": 200}, shape)
    launch = parsed["Reservations"][0]["Instances"][0]["LaunchTime"]
    assert launch == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert type(launch.tzinfo) is timezone  # fromisoformat's, not dateutil's tzutc
