"""`ssmclient profile ...`: import, list, show, set-source, remove."""

import argparse
from pathlib import Path
from typing import Any

from ssmclient.cli.output import err, out, print_json, table
from ssmclient.cli.prompts import confirm, read_secret
from ssmclient.core.aws import naming
from ssmclient.core.errors import InputError, StoreError
from ssmclient.core.paths import config_dir
from ssmclient.core.profile_changes import describe_changes
from ssmclient.core.profile_file import read_profile_file
from ssmclient.core.profile_model import ProfileRecord, SourceKind
from ssmclient.core.profile_store import ProfileStore
from ssmclient.core.source_change import check_aws_profile_name, source_change
from ssmclient.core.text import quoted


def run(args: argparse.Namespace) -> int:
    store = ProfileStore(config_dir())
    handlers = {
        "import": _import,
        "list": _list,
        "show": _show,
        "set-source": _set_source,
        "remove": _remove,
        "cleanup": _cleanup,
    }
    return handlers[args.profile_command](store, args)


def _import(store: ProfileStore, args: argparse.Namespace) -> int:
    imported = read_profile_file(Path(args.path))
    name = imported.profile.name
    try:
        old = store.find(name)
    except StoreError as exc:
        err(f"warning: {exc.message}")
        old = None
    if old is not None:
        changes = describe_changes(
            old.profile, store.external_id(old), imported.profile, imported.external_id
        )
        if not changes:
            out(f"Profile {quoted(name)} is already stored with these values; nothing changed.")
            return 0
        out(f"Profile {quoted(name)} exists; importing this file changes:")
        for line in changes:
            out(f"  {line}")
        if not confirm(f"Replace profile {quoted(name)}?", assume_yes=args.yes):
            out("Nothing changed.")
            return 1
    result = store.save_import(imported)
    if result.set_aside is not None:
        err(
            f"warning: the unreadable profile store was kept as {result.set_aside}; "
            "its profiles' secrets stay in the keyring until `ssmclient profile cleanup`"
        )
    verb = "Updated" if result.replaced else "Imported"
    profile = imported.profile
    out(
        f"{verb} profile {quoted(name)}: role {profile.role_arn}, region {profile.region}, "
        f"instances tagged {profile.instance_tag.key}={profile.instance_tag.value}"
    )
    out(f"The External ID is in {store.secrets.where()}.")
    return 0


def record_summary(record: ProfileRecord) -> dict[str, Any]:
    """The JSON form of a profile for `list`/`show`: never the External ID or a credential."""
    profile = record.profile
    return {
        "name": profile.name,
        "role_arn": profile.role_arn,
        "region": profile.region,
        "regions": list(profile.all_regions),
        "instance_tag": {"key": profile.instance_tag.key, "value": profile.instance_tag.value},
        "source_role_arn": record.effective_source_role_arn,
        "source_identity": profile.source_identity,
        "session_duration": profile.session_duration,
        "documents": list(profile.documents),
        "host": {"name": profile.host.name, "contact": profile.host.contact},
        "expires": profile.expires.isoformat() if profile.expires else None,
        "expired": profile.is_expired(),
        "imported_at": record.imported_at.isoformat(),
        "source": {
            "kind": record.source.kind.value,
            "aws_profile": record.source.aws_profile,
            "mfa_serial": record.source.mfa_serial,
            "session_name": record.source.session_name,
        },
    }


def _list(store: ProfileStore, args: argparse.Namespace) -> int:
    records = store.profiles()
    if args.json:
        print_json([record_summary(r) for r in records])
        return 0
    if not records:
        out("No profiles yet. Import the file your host sent: ssmclient profile import FILE")
        return 0
    rows = []
    for record in records:
        profile = record.profile
        expires = "-"
        if profile.expires is not None:
            expires = profile.expires.isoformat()
            if profile.is_expired():
                expires += " (expired)"
        rows.append(
            [
                profile.name,
                ",".join(profile.all_regions),
                f"{profile.instance_tag.key}={profile.instance_tag.value}",
                profile.role_arn,
                expires,
            ]
        )
    table(["NAME", "REGION", "INSTANCE TAG", "HOST ROLE", "EXPIRES"], rows)
    return 0


def _show(store: ProfileStore, args: argparse.Namespace) -> int:
    record = store.get(args.name)
    summary = record_summary(record)
    if args.json:
        print_json(summary)
        return 0
    source = record.source
    lines = [
        ("Name", summary["name"]),
        ("Host role (hop 2)", summary["role_arn"]),
        ("External ID", f"in {store.secrets.where()} (not shown)"),
        ("Region(s)", ", ".join(summary["regions"])),
        ("Instance tag", f"{summary['instance_tag']['key']}={summary['instance_tag']['value']}"),
        (
            "Your role (hop 1)",
            summary["source_role_arn"] or "none (your identity assumes the host role directly)",
        ),
        ("Credentials for hop 1", source.describe()),
        ("MFA device", source.mfa_serial or "none"),
        ("Session name", source.session_name or "default (from your user name)"),
        ("Source identity", "set on every hop" if summary["source_identity"] else "not set"),
        (
            "Session duration",
            f"{summary['session_duration']} s" if summary["session_duration"] else "default",
        ),
        ("Documents", ", ".join(summary["documents"])),
        (
            "Host",
            " / ".join(v for v in (summary["host"]["name"], summary["host"]["contact"]) if v)
            or "-",
        ),
        ("Expires", (summary["expires"] or "never") + (" (expired)" if summary["expired"] else "")),
        ("Imported", summary["imported_at"]),
    ]
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        out(f"{label.ljust(width)}  {value}")
    return 0


def _check_aws_profile(name: str) -> None:
    import botocore.exceptions
    import botocore.session

    if not name or not name.isprintable() or name != name.strip():
        raise InputError("--aws-profile: not a profile name")
    try:
        available = botocore.session.Session().available_profiles
    except botocore.exceptions.BotoCoreError as exc:
        raise InputError(f"--aws-profile: your AWS config cannot be read: {exc}") from None
    check_aws_profile_name(name, list(available), "--aws-profile")


def _set_source(store: ProfileStore, args: argparse.Namespace) -> int:
    record = store.get(args.name)
    kind: SourceKind | None = None
    access_key: tuple[str, str] | None = None
    if args.aws_profile is not None:
        _check_aws_profile(args.aws_profile)
        kind = SourceKind.AWS_PROFILE
    elif args.access_key_id is not None:
        reason = naming.check_access_key_id(args.access_key_id)
        if reason:
            raise InputError(f"--access-key-id: {reason}")
        secret = read_secret("Secret access key (not shown): ").strip()
        if not secret:
            raise InputError(
                "secret access key: nothing was given on standard input or at the prompt"
            )
        kind, access_key = SourceKind.ACCESS_KEY, (args.access_key_id, secret)
    elif args.default_chain:
        kind = SourceKind.DEFAULT_CHAIN
    change = source_change(
        record,
        kind=kind,
        aws_profile=args.aws_profile,
        access_key=access_key,
        source_role_arn=args.source_role_arn,
        mfa_serial=args.mfa_serial,
        session_name=args.session_name,
    )
    updated = store.update_source(record.name, change.settings, change.access_key)
    out(f"Hop 1 of {quoted(updated.name)}: {updated.source.describe()}")
    hop1 = updated.effective_source_role_arn
    out(f"  then your role {hop1}" if hop1 else "  then the host role directly (no role of yours)")
    if updated.source.mfa_serial:
        out(f"  with MFA device {updated.source.mfa_serial}")
    return 0


def _remove(store: ProfileStore, args: argparse.Namespace) -> int:
    record = store.get(args.name)
    if not confirm(
        f"Remove profile {quoted(record.name)} and its keyring entries?", assume_yes=args.yes
    ):
        out("Nothing removed.")
        return 1
    store.remove(record.name)
    out(f"Removed profile {quoted(record.name)} and its keyring entries.")
    return 0


def _cleanup(store: ProfileStore, args: argparse.Namespace) -> int:
    leftovers = store.leftover_secrets()
    if not leftovers:
        out("No keyring entries are left over from set-aside profile stores.")
        return 0
    for leftover in leftovers:
        out(
            f"{leftover.set_aside.name}: {len(leftover.keys)} keyring entries of "
            f"{len(leftover.profile_ids)} profile(s) no longer in the store"
        )
    total = sum(len(leftover.keys) for leftover in leftovers)
    if not confirm(f"Remove these {total} keyring entries?", assume_yes=args.yes):
        out("Nothing removed.")
        return 1
    removed = store.remove_leftover_secrets(leftovers)
    out(f"Removed {removed} keyring entries; the set-aside files themselves are kept.")
    return 0
