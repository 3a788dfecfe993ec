"""Read access to moto's in-process state (the store of truth) for what the layer decides.

Every use of moto internals is in this one module, so a moto upgrade that moves
an attribute breaks here and nowhere else. Nothing here writes to moto: the
scenario is seeded through the public AWS API.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from moto.ec2.models import ec2_backends
from moto.iam.models import iam_backends

_PARTITION = "aws"


@dataclass(frozen=True)
class RoleFacts:
    """What trust evaluation and ABAC need to know about an IAM role."""

    arn: str
    role_id: str
    name: str
    account: str
    trust_policy: dict[str, Any]
    tags: dict[str, str]
    max_session_duration: int


def _documents(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, str):
        return dict(raw)
    try:
        document = json.loads(raw)
    except ValueError:
        # Some of moto's paths keep the form-encoded text the request carried.
        document = json.loads(unquote(raw))
    return document if isinstance(document, dict) else {}


def _managed_documents(attached: Any) -> list[dict[str, Any]]:
    found = []
    for policy in attached.values():
        for version in policy.versions:
            if version.is_default:
                found.append(_documents(version.document))
    return found


def identity_policies(arn: str) -> list[dict[str, Any]]:
    """Every identity-based policy of a role or user (inline, attached, its groups')."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[4] not in iam_backends:
        return []
    backend = iam_backends[parts[4]][_PARTITION]
    kind, _, rest = parts[5].partition("/")
    try:
        owners: list[Any]
        if kind == "role":
            owners = [backend.get_role_by_arn(arn)]
        elif kind == "user":
            user = backend.get_user(rest.rsplit("/", 1)[-1])
            owners = [user, *backend.get_groups_for_user(user.name)]
        else:
            return []
    except Exception:  # moto's NotFound types: no such identity holds no policy
        return []
    found: list[dict[str, Any]] = []
    for owner in owners:
        found.extend(_documents(raw) for raw in owner.policies.values())
        found.extend(_managed_documents(owner.managed_policies))
    return found


@dataclass(frozen=True)
class UserKey:
    """An IAM user's long-term access key as moto stores it."""

    account: str
    user_name: str
    user_arn: str
    user_id: str
    secret_access_key: str
    active: bool


@dataclass(frozen=True)
class InstanceFacts:
    """One EC2 instance as SSM sees it."""

    instance_id: str
    state: str
    tags: dict[str, str]
    private_ip: str | None
    platform: str | None


def find_user_key(access_key_id: str) -> UserKey | None:
    """The IAM user owning `access_key_id`, in any account moto knows."""
    for account_id, account in list(iam_backends.items()):
        backend = account[_PARTITION]
        key = backend.access_keys.get(access_key_id)
        user_name = getattr(key, "user_name", None)
        if key is None or not isinstance(user_name, str):
            continue
        user = backend.get_user(user_name)
        return UserKey(
            account=account_id,
            user_name=user.name,
            user_arn=user.arn,
            user_id=user.id,
            secret_access_key=key.secret_access_key,
            active=key.status == "Active",
        )
    return None


def find_role(role_arn: str) -> RoleFacts | None:
    """The role named by `role_arn`, or None when its account has no such role."""
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[4].isdigit():
        return None
    account_id = parts[4]
    if account_id not in iam_backends:
        return None
    try:
        role = iam_backends[account_id][_PARTITION].get_role_by_arn(role_arn)
    except Exception:  # moto raises its own NotFound types; any failure means "no such role"
        return None
    document = role.assume_role_policy_document
    policy = json.loads(document) if isinstance(document, str) else dict(document)
    raw_tags = role.tags.values() if isinstance(role.tags, dict) else role.tags
    tags = {entry["Key"]: entry["Value"] for entry in raw_tags}
    return RoleFacts(
        arn=role.arn,
        role_id=role.id,
        name=role.name,
        account=account_id,
        trust_policy=policy,
        tags=tags,
        max_session_duration=int(role.max_session_duration or 3600),
    )


def instances(
    account_id: str, region: str, only: frozenset[str] | None = None
) -> list[InstanceFacts]:
    """The instances of one account and region (all, or those ids in `only`), in launch order."""
    backend = ec2_backends[account_id][region]
    found: list[InstanceFacts] = []
    for reservation in backend.all_reservations():
        for instance in reservation.instances:
            if only is not None and instance.id not in only:
                continue
            found.append(
                InstanceFacts(
                    instance_id=instance.id,
                    state=instance.state,
                    tags=_tags_of(backend, instance.id),
                    private_ip=instance.private_ip,
                    platform=instance.platform,
                )
            )
    return found


def _tags_of(backend: Any, resource_id: str) -> dict[str, str]:
    # moto keeps tags as {resource_id: {key: value}}; its describe_tags scans every tag
    # of the region per call, which is quadratic for a scale scenario.
    return dict(backend.tags.get(resource_id, {}))


def name_instances(account_id: str, region: str, names: dict[str, str]) -> None:
    """Give each instance its own Name tag in one pass.

    The public API can only tag many resources with the same value per call; a
    scale scenario of thousands of distinct names would otherwise cost one HTTP
    request per instance.
    """
    backend = ec2_backends[account_id][region]
    for instance_id, name in names.items():
        backend.create_tags([instance_id], {"Name": name})


def reset() -> None:
    """Empty every moto backend, as moto's own `/moto-api/reset` does."""
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()


def _iso_time(value: Any) -> str:
    # moto keeps a naive UTC datetime; EC2 writes ISO 8601 in UTC with milliseconds.
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return str(value)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


@dataclass(frozen=True)
class InstanceKey:
    """What DescribeInstances' filters look at, read cheaply from moto; `records_of` the rest."""

    reservation_id: str
    instance_id: str
    state: str
    instance_type: str
    availability_zone: str
    tags: dict[str, str]
    instance: Any  # moto's instance


@dataclass(frozen=True)
class InstanceRecord(InstanceKey):
    """Everything ec2:DescribeInstances shows of an instance (see `ec2_listing`)."""

    image_id: str
    state_code: int
    launch_time: str
    private_ip: str | None
    public_ip: str | None
    private_dns: str | None
    public_dns: str | None
    platform: str | None
    vpc_id: str | None
    subnet_id: str | None
    architecture: str | None
    key_name: str | None


def _key(backend: Any, reservation_id: str, instance: Any) -> InstanceKey:
    return InstanceKey(
        reservation_id=reservation_id,
        instance_id=instance.id,
        state=instance.state,
        instance_type=str(getattr(instance, "instance_type", "m1.small")),
        availability_zone=str(instance.availability_zone),
        tags=_tags_of(backend, instance.id),
        instance=instance,
    )


def instance_keys(account_id: str, region: str) -> list[InstanceKey]:
    """All instances of one account and region, grouped by reservation, in launch order."""
    backend = ec2_backends[account_id][region]
    return [
        _key(backend, reservation.id, instance)
        for reservation in backend.all_reservations()
        for instance in reservation.instances
    ]


def fresh_keys(account_id: str, region: str, keys: list[InstanceKey]) -> list[InstanceKey]:
    """`keys` read again from moto: the instances as they are now."""
    backend = ec2_backends[account_id][region]
    return [_key(backend, key.reservation_id, key.instance) for key in keys]


def records_of(keys: list[InstanceKey]) -> list[InstanceRecord]:
    """Everything DescribeInstances shows of these instances.

    Made for one page only, after the filters and the paging chose it: reading
    all of moto's fields for every instance of a 5,000-instance scenario made
    each DescribeInstances page cost the sandbox 55 ms instead of 33 ms.
    """
    found: list[InstanceRecord] = []
    for key in keys:
        instance = key.instance
        found.append(
            InstanceRecord(
                **vars(key),
                image_id=instance.image_id,
                state_code=int(instance.state_code),
                launch_time=_iso_time(instance.launch_time),
                private_ip=_text(instance.private_ip),
                public_ip=_text(instance.public_ip),
                private_dns=_text(instance.private_dns_name),
                public_dns=_text(instance.public_dns_name),
                platform=_text(instance.platform),
                vpc_id=_text(instance.vpc_id),
                subnet_id=_text(instance.subnet_id),
                architecture=_text(instance.architecture),
                key_name=_text(instance.key_name),
            )
        )
    return found


def launch_instances(
    account_id: str, region: str, image_id: str, count: int, tags: dict[str, str]
) -> list[str]:
    """Launch `count` instances through the backend call moto's RunInstances handler makes.

    The public API gives the same instances, but moto then serializes each one
    into the response (about 6 ms per instance: 15 s for the scale scenario).
    The arguments are those the handler passes for a plain request.
    """
    backend = ec2_backends[account_id][region]
    reservation = backend.run_instances(
        image_id,
        count,
        None,
        [],
        instance_type="t3.micro",
        is_instance_type_default=False,
        region_name=region,
        tags={"instance": dict(tags)} if tags else {},
        placement=None,
        placement_hostid=None,
        subnet_id=None,
        key_name=None,
        security_group_ids=[],
        nics=[],
        private_ip=None,
        associate_public_ip=None,
        ebs_optimized=False,
        disable_api_stop=False,
        instance_market_options={},
        instance_initiated_shutdown_behavior=None,
        launch_template={},
        hibernation_options={},
        iam_instance_profile_name=None,
        iam_instance_profile_arn=None,
        monitoring_state="disabled",
        ipv6_address_count=None,
        metadata_options={},
        client_token="ABCDE",  # noqa: S106 - moto's default idempotency token, not a secret
    )
    return [instance.id for instance in reservation.instances]


def stop_instances(account_id: str, region: str, instance_ids: list[str]) -> None:
    ec2_backends[account_id][region].stop_instances(instance_ids)
