"""`ssmclient host ...`: the host's side (issue, rotate, audit), run with the host's credentials."""

import argparse
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ssmclient.cli.output import out, print_json
from ssmclient.cli.prompts import read_secret
from ssmclient.core.aws import naming
from ssmclient.core.errors import InputError, ProfileFileError, SsmClientError
from ssmclient.core.host.audit import audit
from ssmclient.core.host.issuing import (
    PARTY_ROLE_TEMPLATE,
    ROLE_PREFIX,
    IssueRequest,
    build_profile,
    new_external_id,
    stack_parameters,
    with_new_external_id,
    write_profile,
)
from ssmclient.core.profile_file import FILE_SUFFIX, read_profile_file
from ssmclient.core.profile_model import ImportedProfile
from ssmclient.core.text import quoted

# The profile file's fields, as `host issue` spells them.
_FLAGS = {
    "name": "--party",
    "role_arn": "--role-arn",
    "external_id": "--external-id",
    "region": "--region",
    "instance_tag.key": "--tag-key",
    "instance_tag.value": "--tag-value",
    "source_role_arn": "--source-role-arn",
    "host.name": "--host-name",
    "host.contact": "--contact",
    "expires": "--expires",
}
_DURATION = re.compile(r"(\d{1,5})([dh])", re.ASCII)


def run(args: argparse.Namespace) -> int:
    handlers = {"issue": _issue, "rotate": _rotate, "audit": _audit}
    return handlers[args.host_command](args)


# -- issue ---------------------------------------------------------------------------


def _issue(args: argparse.Namespace) -> int:
    output = _output_path(args.output)
    given = _external_id_arg(args.external_id)
    stack_note: str | None = None
    if args.from_stack:
        request, external_id, stack_note = _from_stack(args, given)
        origin = "the one the role's trust policy accepts"
    else:
        required = (
            ("--party", args.party),
            ("--role-arn", args.role_arn),
            ("--region", args.region),
            ("--tag-value", args.tag_value),
        )
        missing = [flag for flag, value in required if value is None]
        if missing:
            raise InputError(
                f"host issue: {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                "required (or --from-stack STACK)"
            )
        request = IssueRequest(
            name=args.party,
            role_arn=args.role_arn,
            region=args.region,
            tag_value=args.tag_value,
            tag_key=args.tag_key or IssueRequest.tag_key,
            source_role_arn=args.source_role_arn,
            source_identity=args.source_identity,
            host_name=args.host_name,
            contact=args.contact,
            expires=_expires_arg(args.expires),
        )
        external_id = given or new_external_id()
        origin = "as given" if given else "new and random"
    imported = _build(request, external_id)
    _write(output, imported)

    profile = imported.profile
    tag = profile.instance_tag
    out(
        f"Wrote {output} for {quoted(profile.name)}: role {profile.role_arn}, region "
        f"{profile.region}, instances tagged {tag.key}={tag.value}"
    )
    out(f"External ID: {imported.external_id} ({origin}; it is in the file, readable by you only)")
    if stack_note is not None:
        out(stack_note)
    else:
        out(f"CloudFormation parameters for {PARTY_ROLE_TEMPLATE}:")
        for key, value in stack_parameters(imported):
            out(f"  {key}={value if value is not None else _unknown(key)}")
    out(
        "Send the file to the party's contact over a channel you trust; they open it with "
        f"ssmclient (or run `ssmclient profile import {output.name}`)."
    )
    return 0


def _unknown(key: str) -> str:
    if key == "PartyName":
        return f"<the template names the role {ROLE_PREFIX}<PartyName>; this role's name differs>"
    return "<the partner's; give --source-role-arn ARN to fill it in>"


def _from_stack(args: argparse.Namespace, given: str | None) -> tuple[IssueRequest, str, str]:
    from ssmclient.core.host.host_clients import host_client
    from ssmclient.core.host.party_stack import read_party_stack
    from ssmclient.core.host.role_facts import read_role, trusted_external_ids

    clashing = [
        flag
        for flag, value in (
            ("--role-arn", args.role_arn),
            ("--tag-value", args.tag_value),
            ("--tag-key", args.tag_key),
            ("--source-role-arn", args.source_role_arn),
            ("--source-identity", args.source_identity),
        )
        if value
    ]
    if clashing:
        them = "it" if len(clashing) == 1 else "them"
        raise InputError(f"--from-stack: the stack says {', '.join(clashing)}; leave {them} out")
    stack = read_party_stack(host_client("cloudformation", args.region), args.from_stack)
    facts = read_role(host_client("iam", stack.region), stack.role_arn)
    trusted = trusted_external_ids(facts.trust_policy)
    audit_hint = f"`ssmclient host audit --role-arn {stack.role_arn}`"
    if given is not None:
        if given not in trusted:
            raise InputError(
                f"--external-id: the trust policy of {stack.role_arn} does not accept it; "
                "leave it out to use the stack's own"
            )
        external_id = given
    elif len(trusted) == 1:
        external_id = trusted[0]
    elif not trusted:
        raise SsmClientError(
            f"stack {quoted(stack.name)}: the trust policy of {stack.role_arn} requires no "
            f"External ID; fix the role first (see {audit_hint})"
        )
    else:
        raise InputError(
            f"stack {quoted(stack.name)}: the trust policy of {stack.role_arn} accepts "
            f"{len(trusted)} External IDs (a rotation in progress?); say which with "
            "--external-id - (read from standard input)"
        )
    request = IssueRequest(
        name=args.party or stack.party_name or stack.tag_value,
        role_arn=stack.role_arn,
        region=stack.region,
        tag_value=stack.tag_value,
        tag_key=stack.tag_key,
        source_role_arn=stack.source_role_arn,
        source_identity=stack.source_identity,
        host_name=args.host_name,
        contact=args.contact,
        expires=_expires_arg(args.expires),
    )
    note = f"From stack {quoted(stack.name)}: nothing needs deploying."
    return request, external_id, note


def _build(request: IssueRequest, external_id: str) -> ImportedProfile:
    try:
        return build_profile(request, external_id)
    except ProfileFileError as exc:
        flag = _FLAGS.get(exc.field, exc.field)
        raise InputError(f"{flag}: {exc.reason}") from None


# -- rotate --------------------------------------------------------------------------


def _rotate(args: argparse.Namespace) -> int:
    source = Path(args.path)
    output = _output_path(args.output)
    try:
        imported = read_profile_file(source)
    except ProfileFileError as exc:
        # The host wrote this file: say what is wrong, not "ask your host".
        where = "" if exc.field == "file" else f"{quoted(str(source))}: {exc.field}: "
        raise InputError(where + exc.reason) from None
    given = _external_id_arg(args.external_id)
    if given is not None and given == imported.external_id:
        raise InputError("--external-id: that is the file's current External ID; give a new one")
    try:
        rotated = with_new_external_id(imported, given)
    except ProfileFileError as exc:
        raise InputError(f"--external-id: {exc.reason}") from None
    _write(output, rotated)

    old, new = imported.external_id, rotated.external_id
    role = rotated.profile.role_arn
    out(f"Wrote {output} for {quoted(rotated.profile.name)}: only the External ID changed.")
    out(f"New External ID: {new}")
    out(f"Change the trust policy of {role}. While the party switches, accept both:")
    out(f'  "Condition": {{"StringEquals": {{"sts:ExternalId": {json.dumps([old, new])}}}}}')
    out(f"and once they have imported {output.name}, only the new one:")
    out(f'  "Condition": {{"StringEquals": {{"sts:ExternalId": {json.dumps(new)}}}}}')
    out(
        f"With CloudFormation ({PARTY_ROLE_TEMPLATE}): update the stack with ExternalId={new}, "
        "the other parameters unchanged; the old file stops working at that moment."
    )
    out(
        f"The party opens {output.name} with ssmclient (or runs `ssmclient profile import "
        f'{output.name} --yes`): it shows "External ID changed" and replaces their profile.'
    )
    return 0


# -- audit ---------------------------------------------------------------------------


def _audit(args: argparse.Namespace) -> int:
    from ssmclient.core.host.host_clients import host_client
    from ssmclient.core.host.role_facts import read_role

    reason = naming.parse_role_arn(args.role_arn)
    if isinstance(reason, str):
        raise InputError(f"--role-arn: {reason}")
    checks = audit(read_role(host_client("iam"), args.role_arn))
    if args.json:
        print_json([check.as_json() for check in checks])
    else:
        for check in checks:
            if check.ok:
                out(f"ok    {check.name}: {check.detail}")
            else:
                out(f"FAIL  {check.name}: {check.detail} (fix: {check.fix})")
        held = sum(check.ok for check in checks)
        out(f"{held} of {len(checks)} checks hold for {args.role_arn}")
    return 0 if all(check.ok for check in checks) else 1


# -- shared --------------------------------------------------------------------------


def _output_path(text: str) -> Path:
    path = Path(text)
    if not path.name.lower().endswith(FILE_SUFFIX):
        raise InputError(
            f"-o: name the file *{FILE_SUFFIX} (a double-click opens ssmclient by that suffix)"
        )
    if path.is_dir():
        raise InputError(f"-o: {quoted(text)} is a directory")
    if not path.parent.is_dir():
        raise InputError(f"-o: the directory {quoted(str(path.parent))} does not exist")
    return path


def _write(path: Path, imported: ImportedProfile) -> None:
    try:
        write_profile(path, imported)
    except OSError as exc:
        raise SsmClientError(f"cannot write {quoted(str(path))}: {exc.strerror}") from None


def _external_id_arg(value: str | None) -> str | None:
    if value is None:
        return None
    if value == "-":
        value = read_secret("External ID: ")
    if not value:
        raise InputError("--external-id: is empty")
    reason = naming.check_external_id(value)
    if reason:
        raise InputError(f"--external-id: {reason}")
    return value


def _expires_arg(value: str | None) -> str | None:
    """A duration (90d, 12h) from now, or the text for the file's own RFC 3339 rule."""
    if value is None:
        return None
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        return value
    amount = int(match.group(1))
    delta = timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)
    if not timedelta(hours=1) <= delta <= timedelta(days=3660):
        raise InputError("--expires: give 1h to 3660d, or an RFC 3339 time")
    when = datetime.now(UTC).replace(microsecond=0) + delta
    return when.isoformat().replace("+00:00", "Z")
