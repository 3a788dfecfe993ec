"""`ssmclient instances --profile NAME [--region R ...] [--json]`."""

import argparse

from ssmclient.cli.output import TableStream, err, out, print_json
from ssmclient.cli.prompts import cli_mfa_prompt
from ssmclient.cli.stored_profiles import load
from ssmclient.core.aws import naming
from ssmclient.core.aws.instance import Instance
from ssmclient.core.errors import InputError
from ssmclient.core.profile_model import ProfileRecord


def _regions(record: ProfileRecord, wanted: list[str] | None) -> tuple[str, ...]:
    if not wanted:
        return record.profile.all_regions
    role = naming.parse_role_arn(record.profile.role_arn)
    partition = role.partition if not isinstance(role, str) else "aws"
    for region in wanted:
        reason = naming.check_region(region, partition)
        if reason:
            raise InputError(f"--region {region[:40]}: {reason}")
    return tuple(dict.fromkeys(wanted))


def run(args: argparse.Namespace) -> int:
    # botocore is imported only here, not at CLI start-up.
    from ssmclient.core.aws.inventory import list_instances, sign_in_with_clients
    from ssmclient.core.aws.role_chain import RoleChain

    store, record = load(args.profile)
    regions = _regions(record, args.region)
    profile = record.profile
    chain = RoleChain.from_record(record, store, mfa_prompt=cli_mfa_prompt)
    _hop, clients = sign_in_with_clients(
        chain.hop2, chain.client, regions, chain.sign_in_idle, host_contact=profile.host.contact
    )
    stream = None if args.json else TableStream(HEADERS)
    inventory = list_instances(
        clients,
        profile.instance_tag,
        regions,
        host_contact=profile.host.contact,
        on_ready=None if stream is None else (lambda page: stream.add(_rows(page))),
    )
    if stream is None:
        print_json([i.to_json() for i in inventory.instances])
        return 0
    if not stream.started:
        tag = f"{profile.instance_tag.key}={profile.instance_tag.value}"
        out(f"No instances tagged {tag} in {', '.join(regions)}.")
        return 0
    for region, reason in sorted(inventory.ping_unreadable.items()):
        err(f"note: ping status unknown in {region} ({reason})")
    return 0


HEADERS = ("INSTANCE", "NAME", "STATE", "PING", "PRIVATE IP", "PUBLIC IP", "PLATFORM", "REGION")


def _rows(instances: list[Instance]) -> list[list[str]]:
    return [
        [
            i.instance_id,
            i.name if i.name is not None else "-",
            i.state,
            i.ping_status or "unknown",
            i.private_ip or "-",
            i.public_ip or "-",
            i.platform or "-",
            i.region,
        ]
        for i in instances
    ]
