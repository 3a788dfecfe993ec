"""Every rule of the `.ssmprofile` format, each failure naming its field."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ssmclient.core.errors import ProfileFileError
from ssmclient.core.profile_file import (
    MAX_FILE_BYTES,
    parse_profile_bytes,
    profile_to_mapping,
    read_profile_file,
)
from ssmclient.core.profile_model import DEFAULT_DOCUMENTS

from profile_samples import EXAMPLE, encode, example


def rejects(data: bytes | dict[str, Any]) -> ProfileFileError:
    raw = data if isinstance(data, bytes) else encode(data)
    with pytest.raises(ProfileFileError) as caught:
        parse_profile_bytes(raw)
    message = str(caught.value)
    assert "\n" not in message
    return caught.value


def test_the_documented_example_is_accepted() -> None:
    imported = parse_profile_bytes(encode(EXAMPLE))
    profile = imported.profile
    assert imported.external_id == "ExternalID3rdPartyA"
    assert profile.name == "Example Corp (Third_Party_A)"
    assert profile.instance_tag.key == "ExternalAccessGrantedTo"
    assert profile.instance_tag.value == "Third_Party_A"
    assert profile.source_role_arn == EXAMPLE["source_role_arn"]
    assert profile.documents == DEFAULT_DOCUMENTS
    assert profile.host.contact == "cloud-ops@example.com"
    assert not profile.source_identity
    assert profile.expires is None


def test_external_id_is_not_in_the_profile_repr() -> None:
    imported = parse_profile_bytes(encode(EXAMPLE))
    assert "ExternalID3rdPartyA" not in repr(imported)
    assert "ExternalID3rdPartyA" not in repr(imported.profile)


def test_round_trip_through_the_file_form() -> None:
    full = example(
        regions=["us-west-2", "eu-west-1"],
        source_identity=True,
        session_duration=1800,
        documents=["SSM-SessionManagerRunShell", "Host-Doc_1.2"],
        expires="2027-01-31T23:59:59.123456789+02:00",
    )
    imported = parse_profile_bytes(encode(full))
    again = parse_profile_bytes(encode(profile_to_mapping(imported.profile, imported.external_id)))
    assert again == imported


# -- encoding -----------------------------------------------------------------------


def test_too_large() -> None:
    padded = encode(EXAMPLE)[:-1] + b" " * MAX_FILE_BYTES + b"}"
    assert rejects(padded).field == "file"


def test_exactly_at_the_size_limit_is_fine() -> None:
    raw = encode(EXAMPLE)
    raw = raw[:-1] + b" " * (MAX_FILE_BYTES - len(raw)) + b"}"
    assert len(raw) == MAX_FILE_BYTES
    parse_profile_bytes(raw)


def test_read_stops_after_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.ssmprofile"
    path.write_bytes(b"{" + b" " * (10 * MAX_FILE_BYTES))
    with pytest.raises(ProfileFileError) as caught:
        read_profile_file(path)
    assert caught.value.field == "file"
    assert "KiB" in caught.value.reason


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
def test_byte_order_mark(bom: bytes) -> None:
    error = rejects(bom + encode(EXAMPLE))
    assert error.field == "file"
    assert "byte-order mark" in error.reason


def test_not_utf8() -> None:
    raw = encode(example(name="Cafe")).replace(b'"Cafe"', b'"Caf\xe9"')
    assert "UTF-8" in rejects(raw).reason


def test_second_top_level_value() -> None:
    assert rejects(encode(EXAMPLE) + b"\n{}").field == "file"


def test_duplicate_keys() -> None:
    raw = encode(EXAMPLE)[:-1] + b', "region": "eu-west-1"}'
    error = rejects(raw)
    assert error.field == "region"
    assert "twice" in error.reason


def test_duplicate_keys_nested() -> None:
    raw = encode(EXAMPLE).replace(b'"key": "ExternalAccessGrantedTo"', b'"key": "A", "key": "B"')
    assert rejects(raw).field == "key"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_nan_and_infinity(constant: bytes) -> None:
    raw = encode(EXAMPLE)[:-1] + b', "session_duration": ' + constant + b"}"
    assert rejects(raw).field == "file"


def test_huge_integer() -> None:
    raw = encode(EXAMPLE).replace(b'"version": 1', b'"version": ' + b"9" * 5000)
    assert rejects(raw).field == "file"


def test_deep_nesting() -> None:
    raw = encode(EXAMPLE)[:-1] + b', "host": ' + b"[" * 50000 + b"]" * 50000 + b"}"
    assert rejects(raw).field in {"file", "host"}


@pytest.mark.parametrize("document", [[], "text", 1, None])
def test_top_level_not_an_object(document: Any) -> None:
    assert rejects(json.dumps(document).encode()).field == "file"


def test_invalid_json() -> None:
    assert "not valid JSON" in rejects(b'{"format": ').reason


def test_lone_surrogate_in_a_string() -> None:
    raw = encode(EXAMPLE).replace(b'"Example Corp (Third_Party_A)"', b'"bad \\ud800 name"')
    assert rejects(raw).field == "name"


# -- keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "endpoint_url",
        "sts_endpoint",
        "proxy",
        "https_proxy",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "password",
        "secret",
        "credential_process",
        "command",
        "ca_bundle",
    ],
)
def test_forbidden_keys_at_the_top(key: str) -> None:
    error = rejects(example(**{key: "x"}))
    assert error.field == key
    assert "never needs" in error.reason


@pytest.mark.parametrize("parent", ["instance_tag", "host"])
def test_forbidden_keys_nested(parent: str) -> None:
    document = example()
    document[parent] = {**document[parent], "endpoint_url": "http://evil.example"}
    error = rejects(document)
    assert error.field == f"{parent}.endpoint_url"
    assert "never needs" in error.reason


def test_unknown_key() -> None:
    error = rejects(example(colour="blue"))
    assert (error.field, error.reason) == ("colour", "unknown field")


@pytest.mark.parametrize(
    ("key", "suggestion"),
    [
        ("role_arm", "role_arn"),
        ("Region", "region"),
        ("expire", "expires"),
        ("extrnal_id", "external_id"),
    ],
)
def test_a_misspelt_field_is_named_with_the_one_meant(key: str, suggestion: str) -> None:
    error = rejects(example(**{key: "x"}))
    assert (error.field, error.reason) == (key, f"unknown field (did you mean {suggestion}?)")


def test_a_misspelt_nested_field_is_named_with_its_path() -> None:
    document = example(instance_tag={"key": "K", "valu": "V"})
    error = rejects(document)
    assert (error.field, error.reason) == (
        "instance_tag.valu",
        "unknown field (did you mean instance_tag.value?)",
    )


def test_unknown_nested_key() -> None:
    document = example(host={"name": "X", "phone": "1"})
    assert rejects(document).field == "host.phone"


def test_hostile_key_is_escaped_in_the_message() -> None:
    error = rejects(example(**{"evil\u202e\nkey": 1}))
    assert "\u202e" not in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "field", ["format", "version", "name", "role_arn", "external_id", "region", "instance_tag"]
)
def test_required_fields(field: str) -> None:
    error = rejects(example(**{field: ...}))
    assert (error.field, error.reason) == (field, "is missing")


# -- values -------------------------------------------------------------------------


def test_format_must_be_exact() -> None:
    assert rejects(example(format="ssmclient-profile ")).field == "format"


def test_version_from_the_future() -> None:
    error = rejects(example(version=2))
    assert error.field == "version"
    assert "newer ssmclient" in error.reason


@pytest.mark.parametrize("version", [0, -1, 1.0, "1", True, None])
def test_version_wrong(version: Any) -> None:
    assert rejects(example(version=version)).field == "version"


@pytest.mark.parametrize(
    "name",
    [
        "",
        " ",
        "   ",
        "x" * 65,
        "tab\there",
        "new\nline",
        "rtl\u202eoverride",
        "zero\u200bwidth",
        "mark\u200f",
        "bell\x07",
        12,
    ],
)
def test_bad_names(name: Any) -> None:
    assert rejects(example(name=name)).field == "name"


@pytest.mark.parametrize("name", ["A", "x" * 64, "Société Générale (Partenaire_B)", "日本語"])
def test_good_names(name: str) -> None:
    assert parse_profile_bytes(encode(example(name=name))).profile.name == name


@pytest.mark.parametrize(
    ("arn", "fragment"),
    [
        ("arn:aws:iam::11112222333:role/R", "not an IAM role ARN"),
        ("arn:aws:iam::111122223333:user/R", "not an IAM role ARN"),
        ("arn:aws:sts::111122223333:role/R", "not an IAM role ARN"),
        ("arn:aws-iso:iam::111122223333:role/R", "partition"),
        ("arn:aws:iam::111122223333:role/", "not an IAM role ARN"),
        ("arn:aws:iam::111122223333:role/" + "r" * 65, "role name"),
        ("arn:aws:iam::111122223333:role/bad name", "role name"),
        ("arn:aws:iam::111122223333:role/r\u00e9le", "role name"),
        ("arn:aws:iam::111122223333:role//R", "path"),
        ("arn:aws:iam::111122223333:role/a b/R", "path"),
        (" arn:aws:iam::111122223333:role/R", "not an IAM role ARN"),
    ],
)
def test_bad_role_arns(arn: str, fragment: str) -> None:
    error = rejects(example(role_arn=arn))
    assert error.field == "role_arn"
    assert fragment in error.reason


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::111122223333:role/service/nested/R+=,.@_-",
        "arn:aws-us-gov:iam::111122223333:role/R",
    ],
)
def test_good_role_arns(arn: str) -> None:
    region = "us-gov-west-1" if "gov" in arn else "us-east-1"
    source = arn.replace("111122223333", "444455556666")
    parse_profile_bytes(encode(example(role_arn=arn, region=region, source_role_arn=source)))


def test_china_partition_with_a_china_region() -> None:
    parse_profile_bytes(
        encode(
            example(
                role_arn="arn:aws-cn:iam::111122223333:role/R",
                source_role_arn="arn:aws-cn:iam::444455556666:role/S",
                region="cn-north-1",
            )
        )
    )


@pytest.mark.parametrize("external_id", ["x", "has space", "semi;colon", "é" * 3, "a" * 1225, 7])
def test_bad_external_ids(external_id: Any) -> None:
    assert rejects(example(external_id=external_id)).field == "external_id"


@pytest.mark.parametrize("external_id", ["ab", "a" * 1224, "id+=,.@:/-_9"])
def test_good_external_ids(external_id: str) -> None:
    assert parse_profile_bytes(encode(example(external_id=external_id))).external_id == external_id


@pytest.mark.parametrize("region", ["cn-north-1", "us-gov-west-1", "mars-1", "US-EAST-1", "", 1])
def test_region_not_of_the_partition(region: Any) -> None:
    assert rejects(example(region=region)).field == "region"


def test_region_of_another_partition_says_so() -> None:
    assert "partition" in rejects(example(region="cn-north-1")).reason


def test_future_region_of_the_partition_is_accepted() -> None:
    parse_profile_bytes(encode(example(region="eu-east-9")))


@pytest.mark.parametrize(
    "regions", [["us-west-2", "us-west-2"], ["cn-north-1"], "us-west-2", [1], ["nowhere"]]
)
def test_bad_regions(regions: Any) -> None:
    assert rejects(example(regions=regions)).field == "regions"


def test_all_regions_puts_the_main_one_first_once() -> None:
    profile = parse_profile_bytes(encode(example(regions=["eu-west-1", "us-east-1"]))).profile
    assert profile.all_regions == ("us-east-1", "eu-west-1")


@pytest.mark.parametrize(
    ("tag", "field"),
    [
        ("ExternalAccessGrantedTo", "instance_tag"),
        ({"key": "K"}, "instance_tag.value"),
        ({"value": "V"}, "instance_tag.key"),
        ({"key": "", "value": "V"}, "instance_tag.key"),
        ({"key": "k" * 129, "value": "V"}, "instance_tag.key"),
        ({"key": "aws:createdBy", "value": "V"}, "instance_tag.key"),
        ({"key": "AWS:x", "value": "V"}, "instance_tag.key"),
        ({"key": "semi;colon", "value": "V"}, "instance_tag.key"),
        ({"key": "K", "value": "v" * 257}, "instance_tag.value"),
        ({"key": "K", "value": "line\u2028sep"}, "instance_tag.value"),
        ({"key": "K", "value": "quote'"}, "instance_tag.value"),
        ({"key": "K", "value": 3}, "instance_tag.value"),
    ],
)
def test_bad_instance_tags(tag: Any, field: str) -> None:
    assert rejects(example(instance_tag=tag)).field == field


def test_empty_tag_value_and_unicode_letters_are_fine() -> None:
    profile = parse_profile_bytes(
        encode(example(instance_tag={"key": "Zugang für", "value": ""}))
    ).profile
    assert profile.instance_tag.value == ""


def test_source_role_in_the_hosts_own_account() -> None:
    arn = "arn:aws:iam::111122223333:role/3P_IAM_Assume_Role"
    error = rejects(example(source_role_arn=arn))
    assert error.field == "source_role_arn"
    assert "host's own account" in error.reason


def test_source_role_in_another_partition() -> None:
    error = rejects(example(source_role_arn="arn:aws-cn:iam::444455556666:role/R"))
    assert error.field == "source_role_arn"


def test_source_role_must_be_a_role_arn() -> None:
    assert rejects(example(source_role_arn="nope")).field == "source_role_arn"


@pytest.mark.parametrize("value", [1, "true", None])
def test_source_identity_must_be_boolean(value: Any) -> None:
    assert rejects(example(source_identity=value)).field == "source_identity"


@pytest.mark.parametrize("seconds", [899, 3601, 43200, 1800.0, "900", True])
def test_bad_session_durations(seconds: Any) -> None:
    assert rejects(example(session_duration=seconds)).field == "session_duration"


@pytest.mark.parametrize(
    "documents",
    [[], ["ab"], ["has space"], ["AWS-StartSSHSession", "AWS-StartSSHSession"], "x", [1]],
)
def test_bad_documents(documents: Any) -> None:
    assert rejects(example(documents=documents)).field == "documents"


@pytest.mark.parametrize(
    ("host", "field"),
    [
        ("Example", "host"),
        ({"name": "x" * 257}, "host.name"),
        ({"contact": "a\u202eb"}, "host.contact"),
        ({"name": 5}, "host.name"),
        ({"name": ""}, "host.name"),
    ],
)
def test_bad_host(host: Any, field: str) -> None:
    assert rejects(example(host=host)).field == field


@pytest.mark.parametrize(
    ("expires", "fragment"),
    [
        ("2027-01-31T23:59:59", "time zone"),
        ("2027-01-31", "RFC 3339"),
        ("tomorrow", "RFC 3339"),
        ("2027-02-30T00:00:00Z", "not a valid"),
        (1700000000, "RFC 3339"),
    ],
)
def test_bad_expiry(expires: Any, fragment: str) -> None:
    error = rejects(example(expires=expires))
    assert error.field == "expires"
    assert fragment in error.reason


def test_expiry_with_a_zone() -> None:
    profile = parse_profile_bytes(encode(example(expires="2020-01-01T00:00:00Z"))).profile
    assert profile.expires == datetime(2020, 1, 1, tzinfo=UTC)
    assert profile.is_expired()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileFileError) as caught:
        read_profile_file(tmp_path / "none")
    assert caught.value.field == "file"
    assert "does not exist" in caught.value.reason


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileFileError) as caught:
        read_profile_file(tmp_path)
    assert caught.value.field == "file"


def test_a_key_of_unusual_spaces_is_named_visibly() -> None:
    error = rejects(example(**{"\u00a0": None}))
    assert error.field == "'\\xa0'"
    assert str(error) == "'\\xa0': unknown field"


def test_a_name_with_a_no_break_space_is_refused() -> None:
    assert rejects(example(name="Example\u00a0Corp")).field == "name"


def test_a_bad_file_names_the_file_and_who_can_fix_it(tmp_path: Path) -> None:
    path = tmp_path / "ExampleCorp.ssmprofile"
    path.write_bytes(b"{not json")
    with pytest.raises(ProfileFileError) as caught:
        read_profile_file(path)
    message = str(caught.value)
    assert message.startswith(f"'{path}' is not a profile file ssmclient can import (file: ")
    assert message.endswith("ask your host to send a corrected file")
    assert caught.value.field == "file"
    assert "\n" not in message
