"""Issuing a party's file: a valid `.ssmprofile` with a fresh External ID, and its parameters."""

import json
import stat
import uuid
from pathlib import Path

import pytest

from ssmclient.core.errors import ProfileFileError
from ssmclient.core.host.issuing import (
    IssueRequest,
    build_profile,
    file_bytes,
    new_external_id,
    party_name,
    stack_parameters,
    with_new_external_id,
    write_profile,
)
from ssmclient.core.profile_file import parse_profile_bytes, read_profile_file

ROLE = "arn:aws:iam::111122223333:role/SSMStartSession_IAM_Role_ThirdPartyA"
PARTNER = "arn:aws:iam::444455556666:role/3P_IAM_Assume_Role"
REQUEST = IssueRequest(
    name="Example Corp (Third_Party_A)",
    role_arn=ROLE,
    region="eu-west-1",
    tag_value="Third_Party_A",
    source_role_arn=PARTNER,
    host_name="Example Corp",
    contact="cloud-ops@example.com",
    expires="2030-01-01T00:00:00Z",
)


def test_the_file_is_what_profile_import_reads_back() -> None:
    imported = build_profile(REQUEST, "ExternalID3rdPartyA")
    again = parse_profile_bytes(file_bytes(imported))
    assert again == imported
    profile = again.profile
    assert (profile.role_arn, profile.region, profile.source_role_arn) == (
        ROLE,
        "eu-west-1",
        PARTNER,
    )
    assert (profile.instance_tag.key, profile.instance_tag.value) == (
        "ExternalAccessGrantedTo",
        "Third_Party_A",
    )
    assert (profile.host.name, profile.host.contact) == ("Example Corp", "cloud-ops@example.com")
    assert again.external_id == "ExternalID3rdPartyA"


def test_a_new_external_id_is_a_random_uuid() -> None:
    first, second = new_external_id(), new_external_id()
    assert first != second
    assert uuid.UUID(first).version == 4


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role_arn": "arn:aws:iam::111122223333:user/alice"}, "role_arn"),
        ({"region": "mars-1"}, "region"),
        ({"tag_key": "aws:reserved"}, "instance_tag.key"),
        ({"source_role_arn": "arn:aws:iam::111122223333:role/SameAccount"}, "source_role_arn"),
        ({"expires": "next tuesday"}, "expires"),
        ({"name": " "}, "name"),
    ],
)
def test_a_bad_value_names_its_field(change: dict[str, str], field: str) -> None:
    values = {**REQUEST.__dict__, **change}
    with pytest.raises(ProfileFileError) as caught:
        build_profile(IssueRequest(**values), "ExternalID3rdPartyA")
    assert caught.value.field == field


def test_rotation_changes_the_external_id_only() -> None:
    imported = build_profile(REQUEST, "old-external-id")
    rotated = with_new_external_id(imported)
    assert rotated.profile == imported.profile
    assert rotated.external_id != "old-external-id"
    assert uuid.UUID(rotated.external_id)
    assert with_new_external_id(imported, "given-one").external_id == "given-one"
    with pytest.raises(ProfileFileError):
        with_new_external_id(imported, "not valid!")


def test_the_parameters_of_the_party_role_template() -> None:
    imported = build_profile(REQUEST, "ExternalID3rdPartyA")
    assert dict(stack_parameters(imported)) == {
        "PartyName": "ThirdPartyA",
        "TagValue": "Third_Party_A",
        "PartnerAccountId": "444455556666",
        "PartnerRoleName": "3P_IAM_Assume_Role",
        "ExternalId": "ExternalID3rdPartyA",
        "AllowSourceIdentity": "false",
    }
    bare = build_profile(
        IssueRequest(
            name="X",
            role_arn="arn:aws:iam::111122223333:role/Other",
            region="us-east-1",
            tag_value="X",
        ),
        "id-1",
    )
    values = dict(stack_parameters(bare))
    assert values["PartyName"] is None
    assert values["PartnerAccountId"] is None
    assert party_name(ROLE) == "ThirdPartyA"


def test_the_written_file_is_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "a.ssmprofile"
    write_profile(path, build_profile(REQUEST, "ExternalID3rdPartyA"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_profile_file(path).external_id == "ExternalID3rdPartyA"
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "ssmclient-profile"
