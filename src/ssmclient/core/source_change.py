"""Checking a change of hop 1's source (`profile set-source`, the window's Sign-in method).

One set of rules for the CLI and the GUI; each names the field in its own
words through `labels` (the CLI says `--mfa-serial`, the window `MFA device`).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ssmclient.core.aws import naming
from ssmclient.core.errors import InputError
from ssmclient.core.profile_file import check_source_role
from ssmclient.core.profile_model import ProfileRecord, SourceKind, SourceSettings
from ssmclient.core.text import quoted

CLI_LABELS = {
    "aws_profile": "--aws-profile",
    "access_key_id": "--access-key-id",
    "secret_access_key": "secret access key",
    "source_role_arn": "--source-role-arn",
    "mfa_serial": "--mfa-serial",
    "session_name": "--session-name",
}


@dataclass(frozen=True)
class SourceChange:
    """What to store: the new settings and, for access keys, the pair for the keyring."""

    settings: SourceSettings
    access_key: tuple[str, str] | None = field(default=None, repr=False)


def check_secret_access_key(secret: str, label: str) -> str:
    secret = secret.strip()
    if not secret:
        raise InputError(f"{label}: nothing was given")
    if not secret.isascii() or not secret.isprintable() or " " in secret or len(secret) > 128:
        raise InputError(f"{label}: not a secret access key (40 characters, no spaces)")
    return secret


def check_aws_profile_name(name: str, available: list[str], label: str) -> None:
    if not name or not name.isprintable() or name != name.strip():
        raise InputError(f"{label}: not a profile name")
    if name not in available:
        raise InputError(
            f"{label}: no profile {quoted(name)} in your AWS config or credentials files"
        )


def _checked(label: str, value: str | None, check: Callable[[str], str | None]) -> str | None:
    if value is not None:
        reason = check(value)
        if reason:
            raise InputError(f"{label}: {reason}")
    return value


def source_change(
    record: ProfileRecord,
    *,
    kind: SourceKind | None = None,
    aws_profile: str | None = None,
    access_key: tuple[str, str] | None = None,
    source_role_arn: str | None = None,
    mfa_serial: str | None = None,
    session_name: str | None = None,
    labels: Mapping[str, str] = CLI_LABELS,
) -> SourceChange:
    """The checked change; a None field keeps the current value ("" clears an optional one).

    The AWS config profile's existence is checked by the caller
    (`check_aws_profile_name`), since listing the config needs botocore.
    """
    current = record.source
    new_kind = current.kind if kind is None else kind
    new_aws_profile = current.aws_profile if kind is None else None
    pair: tuple[str, str] | None = None
    if new_kind is SourceKind.AWS_PROFILE:
        new_aws_profile = aws_profile if aws_profile is not None else current.aws_profile
        if not new_aws_profile:
            raise InputError(f"{labels['aws_profile']}: choose a profile of your AWS config")
    elif new_kind is SourceKind.ACCESS_KEY and access_key is not None:
        key_id, secret = access_key
        reason = naming.check_access_key_id(key_id.strip())
        if reason:
            raise InputError(f"{labels['access_key_id']}: {reason}")
        pair = (key_id.strip(), check_secret_access_key(secret, labels["secret_access_key"]))

    new_role = current.source_role_arn
    if source_role_arn is not None:
        new_role = source_role_arn.strip() or None
        if new_role is not None:
            parsed = naming.parse_role_arn(new_role)
            if isinstance(parsed, str):
                raise InputError(f"{labels['source_role_arn']}: {parsed}")
            host_role = naming.parse_role_arn(record.profile.role_arn)
            assert not isinstance(host_role, str)  # validated when the profile was stored
            check_source_role(parsed, host_role, labels["source_role_arn"])

    new_mfa = current.mfa_serial
    if mfa_serial is not None:
        new_mfa = _checked(
            labels["mfa_serial"], mfa_serial.strip() or None, naming.check_mfa_serial
        )
    new_name = current.session_name
    if session_name is not None:
        new_name = _checked(
            labels["session_name"], session_name.strip() or None, naming.check_session_name
        )
    settings = SourceSettings(new_kind, new_aws_profile, new_role, new_mfa, new_name)
    return SourceChange(settings, pair)
