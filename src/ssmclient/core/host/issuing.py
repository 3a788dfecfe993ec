"""Issuing a party's `.ssmprofile` file, and the CloudFormation parameters that go with it.

The file is built as a mapping and checked by the same parser `profile import`
uses, so whatever `host issue` writes, a partner's ssmclient accepts. The
External ID is a random UUID unless the host gives one: AWS asks for a value
unique per party and not guessable (it guards against the confused deputy).
"""

import json
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ssmclient.core.atomic_file import write_atomic
from ssmclient.core.aws import naming
from ssmclient.core.errors import ProfileFileError
from ssmclient.core.profile_file import parse_profile_bytes, profile_to_mapping
from ssmclient.core.profile_model import FORMAT_NAME, FORMAT_VERSION, ImportedProfile

# What resources/host/host-party-role.yaml names the role and the tag.
ROLE_PREFIX = "SSMStartSession_IAM_Role_"
PARTY_ROLE_TEMPLATE = "resources/host/host-party-role.yaml"
TEMPLATE_TAG_KEY = "ExternalAccessGrantedTo"


@dataclass(frozen=True)
class IssueRequest:
    """What the host says about the party; the fields of the file but the External ID."""

    name: str
    role_arn: str
    region: str
    tag_value: str
    tag_key: str = TEMPLATE_TAG_KEY
    source_role_arn: str | None = None
    source_identity: bool = False
    host_name: str | None = None
    contact: str | None = None
    expires: str | None = None  # RFC 3339, checked by the file's own rules


def new_external_id() -> str:
    return str(uuid.uuid4())


def build_profile(request: IssueRequest, external_id: str) -> ImportedProfile:
    """The validated profile; a ProfileFileError names the file's field that is wrong."""
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": request.name,
        "role_arn": request.role_arn,
        "external_id": external_id,
        "region": request.region,
        "instance_tag": {"key": request.tag_key, "value": request.tag_value},
    }
    if request.source_role_arn is not None:
        document["source_role_arn"] = request.source_role_arn
    if request.source_identity:
        document["source_identity"] = True
    host = {"name": request.host_name, "contact": request.contact}
    host = {key: value for key, value in host.items() if value}
    if host:
        document["host"] = host
    if request.expires is not None:
        document["expires"] = request.expires
    return parse_profile_bytes(json.dumps(document).encode())


def with_new_external_id(
    imported: ImportedProfile, external_id: str | None = None
) -> ImportedProfile:
    """The same party's profile with a new External ID (a rotation)."""
    new_id = external_id or new_external_id()
    reason = naming.check_external_id(new_id)
    if reason:
        raise ProfileFileError("external_id", reason)
    return replace(imported, external_id=new_id)


def file_bytes(imported: ImportedProfile) -> bytes:
    document = profile_to_mapping(imported.profile, imported.external_id)
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def write_profile(path: Path, imported: ImportedProfile) -> None:
    """Write the file readable by its owner only: it carries the External ID."""
    write_atomic(path, file_bytes(imported), mode=0o600)


def party_name(role_arn: str) -> str | None:
    """The template's PartyName for a role it created (SSMStartSession_IAM_Role_<PartyName>)."""
    parsed = naming.parse_role_arn(role_arn)
    if isinstance(parsed, str) or not parsed.name.startswith(ROLE_PREFIX):
        return None
    return parsed.name.removeprefix(ROLE_PREFIX) or None


def stack_parameters(imported: ImportedProfile) -> list[tuple[str, str | None]]:
    """host-party-role.yaml's parameters for this profile; None where the file cannot say."""
    profile = imported.profile
    partner = naming.parse_role_arn(profile.source_role_arn) if profile.source_role_arn else None
    partner_account = None if partner is None or isinstance(partner, str) else partner.account
    partner_role = None if partner is None or isinstance(partner, str) else partner.name
    return [
        ("PartyName", party_name(profile.role_arn)),
        ("TagValue", profile.instance_tag.value),
        ("PartnerAccountId", partner_account),
        ("PartnerRoleName", partner_role),
        ("ExternalId", imported.external_id),
        ("AllowSourceIdentity", "true" if profile.source_identity else "false"),
    ]
