"""The seeded scenario: the host's blog-style setup, in two accounts.

Partner account: user alice (access keys, a virtual MFA device), role
`3P_IAM_Assume_Role` (trusts the partner account) and `3P_IAM_Assume_Role_MFA`
(trusts it only with MFA). Host account: `SSMStartSession_IAM_Role_ThirdPartyA`
and `..._ThirdPartyB`, each trusting both partner roles with its own External ID
and tagged with the instance tag value it may reach, and the host's administrator
`host-admin` (what the host's own commands run as). Instances: A (named,
unnamed, one stopped), B, untagged, and A in a second region.

IAM is created through the public AWS API (boto3 against the sandbox); EC2
instances through the backend call moto's own RunInstances handler makes (see
`moto_store.launch_instances`: the public call would spend 15 s serializing the
scale scenario's answer). Either way moto's store holds what AWS would.
"""

import json
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.session

from ssmclient.sandbox import moto_store
from ssmclient.sandbox.identities import ADMIN_SECRET

PARTNER_ACCOUNT = "444455556666"
HOST_ACCOUNT = "111122223333"
REGION = "us-east-1"
SECOND_REGION = "us-west-2"
TAG_KEY = "ExternalAccessGrantedTo"
TAG_VALUE_A = "Third_Party_A"
TAG_VALUE_B = "Third_Party_B"
RUN_AS_A = "os_user_a_alice"
RUN_AS_B = "os_user_b_bob"
EXTERNAL_ID_A = "ExternalID3rdPartyA-5ae1f0"
EXTERNAL_ID_B = "ExternalID3rdPartyB-93c2d7"
# The one code alice's virtual MFA device "shows"; any other code is denied.
MFA_CODE = "246813"
DEFAULT_A_INSTANCES = 6
AMI_ID = "ami-0a1b2c3d4e5f67890"

_PARTNER_ROLE = "3P_IAM_Assume_Role"
_PARTNER_MFA_ROLE = "3P_IAM_Assume_Role_MFA"
_HOST_ROLE_A = "SSMStartSession_IAM_Role_ThirdPartyA"
_HOST_ROLE_B = "SSMStartSession_IAM_Role_ThirdPartyB"
HOST_ADMIN = "host-admin"
# The name of the sample profile file the sandbox writes for party A.
PROFILE_NAME_A = "Sandbox Host (Third_Party_A)"
PARTNER_ADMIN = "partner-admin"


@dataclass(frozen=True)
class Scenario:
    """Names, ARNs, keys and instance ids of one seeding (instance ids change per reseed)."""

    partner_account: str
    host_account: str
    region: str
    second_region: str
    alice_user_arn: str
    alice_access_key_id: str
    alice_secret_access_key: str
    host_admin_access_key_id: str
    host_admin_secret_access_key: str
    partner_admin_access_key_id: str
    partner_admin_secret_access_key: str
    partner_role_arn: str
    partner_mfa_role_arn: str
    mfa_serial: str
    mfa_code: str
    host_role_arn: str
    external_id: str
    host_role_b_arn: str
    external_id_b: str
    tag_key: str
    tag_value_a: str
    tag_value_b: str
    run_as_a: str
    # Every A-tagged instance of `region`: named, unnamed and the stopped one.
    instances_a: list[str]
    instances_a_unnamed: list[str]
    instance_a_stopped: str
    instances_b: list[str]
    instances_untagged: list[str]
    instances_a_second_region: list[str]
    profile_file: Path

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        document["profile_file"] = str(self.profile_file)
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "Scenario":
        names = {f.name for f in fields(cls)}
        values = {key: value for key, value in document.items() if key in names}
        values["profile_file"] = Path(values["profile_file"])
        return cls(**values)


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def partner_trust() -> str:
    return _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
        }
    )


def partner_mfa_trust() -> str:
    return _policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PARTNER_ACCOUNT}:root"},
            "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )


def host_trust(external_id: str, *, source_identity: bool) -> str:
    actions = ["sts:AssumeRole", "sts:SetSourceIdentity"] if source_identity else "sts:AssumeRole"
    return _policy(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    f"arn:aws:iam::{PARTNER_ACCOUNT}:role/{_PARTNER_ROLE}",
                    f"arn:aws:iam::{PARTNER_ACCOUNT}:role/{_PARTNER_MFA_ROLE}",
                ]
            },
            "Action": actions,
            "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
        }
    )


SESSION_DOCUMENTS = (
    "SSM-SessionManagerRunShell",
    "AWS-StartPortForwardingSession",
    "AWS-StartPortForwardingSessionToRemoteHost",
    "AWS-StartSSHSession",
)


def document_resource(name: str) -> str:
    """AWS's own documents have no account in their ARN; the host's have its account."""
    account = "" if name.startswith("AWS-") else HOST_ACCOUNT
    return f"arn:aws:ssm:*:{account}:document/{name}"


def host_abac_policy() -> str:
    """The host role's permissions, as resources/host/host-party-role.yaml writes them."""
    return _policy(
        {
            "Sid": "StartSessionOnlyOnThePartysInstances",
            "Effect": "Allow",
            "Action": "ssm:StartSession",
            "Resource": f"arn:aws:ec2:*:{HOST_ACCOUNT}:instance/*",
            "Condition": {
                "StringEquals": {
                    f"ssm:resourceTag/{TAG_KEY}": "${aws:PrincipalTag/" + TAG_KEY + "}"
                },
                "BoolIfExists": {"ssm:SessionDocumentAccessCheck": "true"},
            },
        },
        {
            "Sid": "StartSessionOnlyWithTheAllowedDocuments",
            "Effect": "Allow",
            "Action": "ssm:StartSession",
            "Resource": [document_resource(name) for name in SESSION_DOCUMENTS],
        },
        {
            "Sid": "TerminateAndResumeOnlyOwnSessions",
            "Effect": "Allow",
            "Action": ["ssm:TerminateSession", "ssm:ResumeSession"],
            "Resource": f"arn:aws:ssm:*:{HOST_ACCOUNT}:session/*",
            "Condition": {
                "StringLike": {"ssm:resourceTag/aws:ssmmessages:session-id": "${aws:userid}"}
            },
        },
        {
            "Sid": "ListInstances",
            "Effect": "Allow",
            "Action": ["ec2:DescribeInstances", "ssm:DescribeInstanceInformation"],
            "Resource": "*",
        },
        {
            "Sid": "NoOnwardRolesNoSessionListing",
            "Effect": "Deny",
            "Action": ["sts:AssumeRole", "ssm:DescribeSessions"],
            "Resource": "*",
        },
    )


def admin_policy() -> str:
    return _policy({"Effect": "Allow", "Action": "*", "Resource": "*"})


def _split_a(count: int) -> tuple[int, int]:
    """(named running, unnamed running) for `count` A instances, one of which is stopped."""
    count = max(count, 3)
    unnamed = max(1, count // 5)
    return count - unnamed - 1, unnamed


_session_lock = threading.Lock()
_botocore_session: botocore.session.Session | None = None


def _client(service: str, endpoint: str, key: str, region: str) -> Any:
    # One botocore session for every seeding: its loader caches the service models,
    # which makes creating clients for a reseed cheap.
    global _botocore_session
    with _session_lock:
        if _botocore_session is None:
            _botocore_session = botocore.session.Session()
            _botocore_session.set_config_variable("config_file", "/dev/null")
            _botocore_session.set_config_variable("credentials_file", "/dev/null")
    session: Any = boto3.Session(botocore_session=_botocore_session)
    return session.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=ADMIN_SECRET,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _launch(region: str, count: int, tags: dict[str, str]) -> list[str]:
    if count <= 0:
        return []
    return moto_store.launch_instances(HOST_ACCOUNT, region, AMI_ID, count, tags)


def seed(endpoint: str, admin_keys: dict[str, str], state_dir: Path, a_instances: int) -> Scenario:
    """Create the whole scenario in an empty moto and write the A `.ssmprofile`."""
    partner_iam = _client("iam", endpoint, admin_keys[PARTNER_ACCOUNT], REGION)
    host_iam = _client("iam", endpoint, admin_keys[HOST_ACCOUNT], REGION)

    # The host's own administrator: what `ssmclient host ...` and the host's
    # CloudFormation deployments run as.
    host_iam.create_user(UserName=HOST_ADMIN)
    host_iam.put_user_policy(
        UserName=HOST_ADMIN, PolicyName="AdministratorAccess", PolicyDocument=admin_policy()
    )
    host_key = host_iam.create_access_key(UserName=HOST_ADMIN)["AccessKey"]
    # The partner's administrator, who deploys resources/host/partner-account.yaml.
    partner_iam.create_user(UserName=PARTNER_ADMIN)
    partner_iam.put_user_policy(
        UserName=PARTNER_ADMIN, PolicyName="AdministratorAccess", PolicyDocument=admin_policy()
    )
    partner_key = partner_iam.create_access_key(UserName=PARTNER_ADMIN)["AccessKey"]

    partner_iam.create_user(UserName="alice")
    key = partner_iam.create_access_key(UserName="alice")["AccessKey"]
    mfa_serial = partner_iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")[
        "VirtualMFADevice"
    ]["SerialNumber"]
    partner_iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=mfa_serial,
        AuthenticationCode1=MFA_CODE,
        AuthenticationCode2=MFA_CODE,
    )
    partner_role = partner_iam.create_role(
        RoleName=_PARTNER_ROLE, AssumeRolePolicyDocument=partner_trust()
    )["Role"]["Arn"]
    partner_mfa_role = partner_iam.create_role(
        RoleName=_PARTNER_MFA_ROLE, AssumeRolePolicyDocument=partner_mfa_trust()
    )["Role"]["Arn"]

    host_roles: dict[str, str] = {}
    for name, external_id, value, run_as, source_identity in (
        (_HOST_ROLE_A, EXTERNAL_ID_A, TAG_VALUE_A, RUN_AS_A, True),
        (_HOST_ROLE_B, EXTERNAL_ID_B, TAG_VALUE_B, RUN_AS_B, False),
    ):
        host_roles[name] = host_iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=host_trust(external_id, source_identity=source_identity),
            MaxSessionDuration=3600,
            Tags=[{"Key": TAG_KEY, "Value": value}, {"Key": "SSMSessionRunAs", "Value": run_as}],
        )["Role"]["Arn"]
        host_iam.put_role_policy(
            RoleName=name, PolicyName="SSMStartSessionABAC", PolicyDocument=host_abac_policy()
        )

    named, unnamed = _split_a(a_instances)
    tag_a = {TAG_KEY: TAG_VALUE_A}
    a_named = _launch(REGION, named, tag_a)
    a_unnamed = _launch(REGION, unnamed, tag_a)
    (a_stopped,) = _launch(REGION, 1, tag_a)
    moto_store.stop_instances(HOST_ACCOUNT, REGION, [a_stopped])
    b_ids = _launch(REGION, 2, {TAG_KEY: TAG_VALUE_B})
    untagged = _launch(REGION, 2, {})
    second = _launch(SECOND_REGION, 2, tag_a)

    names = {iid: f"a-app-{n:04d}" for n, iid in enumerate(a_named, 1)}
    names[a_stopped] = "a-stopped-0001"
    names.update({iid: f"b-app-{n:04d}" for n, iid in enumerate(b_ids, 1)})
    names.update({iid: f"internal-{n:04d}" for n, iid in enumerate(untagged, 1)})
    moto_store.name_instances(HOST_ACCOUNT, REGION, names)
    moto_store.name_instances(
        HOST_ACCOUNT, SECOND_REGION, {iid: f"a-west-{n:04d}" for n, iid in enumerate(second, 1)}
    )

    profile_file = write_profile_file(state_dir, host_roles[_HOST_ROLE_A], partner_role)
    return Scenario(
        partner_account=PARTNER_ACCOUNT,
        host_account=HOST_ACCOUNT,
        region=REGION,
        second_region=SECOND_REGION,
        alice_user_arn=f"arn:aws:iam::{PARTNER_ACCOUNT}:user/alice",
        alice_access_key_id=key["AccessKeyId"],
        alice_secret_access_key=key["SecretAccessKey"],
        host_admin_access_key_id=host_key["AccessKeyId"],
        host_admin_secret_access_key=host_key["SecretAccessKey"],
        partner_admin_access_key_id=partner_key["AccessKeyId"],
        partner_admin_secret_access_key=partner_key["SecretAccessKey"],
        partner_role_arn=partner_role,
        partner_mfa_role_arn=partner_mfa_role,
        mfa_serial=mfa_serial,
        mfa_code=MFA_CODE,
        host_role_arn=host_roles[_HOST_ROLE_A],
        external_id=EXTERNAL_ID_A,
        host_role_b_arn=host_roles[_HOST_ROLE_B],
        external_id_b=EXTERNAL_ID_B,
        tag_key=TAG_KEY,
        tag_value_a=TAG_VALUE_A,
        tag_value_b=TAG_VALUE_B,
        run_as_a=RUN_AS_A,
        instances_a=a_named + a_unnamed + [a_stopped],
        instances_a_unnamed=a_unnamed,
        instance_a_stopped=a_stopped,
        instances_b=b_ids,
        instances_untagged=untagged,
        instances_a_second_region=second,
        profile_file=profile_file,
    )


def write_profile_file(state_dir: Path, role_arn: str, source_role_arn: str) -> Path:
    """The `.ssmprofile` the host would send to Third_Party_A (format version 1)."""
    document = {
        "format": "ssmclient-profile",
        "version": 1,
        "name": PROFILE_NAME_A,
        "role_arn": role_arn,
        "external_id": EXTERNAL_ID_A,
        "region": REGION,
        "instance_tag": {"key": TAG_KEY, "value": TAG_VALUE_A},
        "source_role_arn": source_role_arn,
        "host": {"name": "Sandbox Host", "contact": "cloud-ops@sandbox.invalid"},
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "Third_Party_A.ssmprofile"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return path
