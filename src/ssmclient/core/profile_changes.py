"""What re-importing a profile would change, for the user to confirm (External ID masked)."""

from ssmclient.core.aws import naming
from ssmclient.core.profile_file import profile_to_mapping
from ssmclient.core.profile_model import PartyProfile

_MASK = "********"


def describe_changes(
    old: PartyProfile, old_external_id: str | None, new: PartyProfile, new_external_id: str
) -> list[str]:
    """One line per changed field, `field: old -> new`; the External ID is never shown."""
    before = profile_to_mapping(old)
    after = profile_to_mapping(new)
    lines = []
    for field in dict.fromkeys([*before, *after]):
        if before.get(field) != after.get(field):
            lines.append(f"{field}: {_show(before.get(field))} -> {_show(after.get(field))}")
    if old_external_id != new_external_id:
        was = "(missing from the keyring)" if old_external_id is None else _MASK
        lines.append(f"external_id: {was} -> {_MASK} (changed)")
    return lines


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def host_account(role_arn: str) -> str:
    """The account of a role ARN (or the ARN's problem, for a stored profile it cannot be)."""
    parsed = naming.parse_role_arn(role_arn)
    return parsed if isinstance(parsed, str) else parsed.account


def headline_changes(old: PartyProfile, new: PartyProfile, external_id_changed: bool) -> list[str]:
    """The changes that matter most for trust, in words, to be shown before all others."""
    lines = []
    if host_account(old.role_arn) != host_account(new.role_arn):
        lines.append(
            f"Host account changed: {host_account(old.role_arn)} → {host_account(new.role_arn)}"
        )
    if old.all_regions != new.all_regions:
        lines.append(f"Region changed: {', '.join(old.all_regions)} → {', '.join(new.all_regions)}")
    if external_id_changed:
        lines.append("External ID changed")
    return lines
