"""The party profile: what a host's `.ssmprofile` file says, without its secret.

The External ID is deliberately not a field of `PartyProfile`: a profile can
then be stored, logged or shown anywhere without the secret riding along. It
travels separately (`ImportedProfile.external_id`) straight to the keyring.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

FORMAT_NAME = "ssmclient-profile"
FORMAT_VERSION = 1

SHELL_DOCUMENT = "SSM-SessionManagerRunShell"
PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSession"
REMOTE_PORT_FORWARD_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost"
SSH_DOCUMENT = "AWS-StartSSHSession"
DEFAULT_DOCUMENTS = (SHELL_DOCUMENT, PORT_FORWARD_DOCUMENT, REMOTE_PORT_FORWARD_DOCUMENT)


@dataclass(frozen=True)
class InstanceTag:
    key: str
    value: str


@dataclass(frozen=True)
class HostInfo:
    name: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class PartyProfile:
    name: str
    role_arn: str
    region: str
    instance_tag: InstanceTag
    regions: tuple[str, ...] = ()
    source_role_arn: str | None = None
    source_identity: bool = False
    session_duration: int | None = None
    documents: tuple[str, ...] = DEFAULT_DOCUMENTS
    host: HostInfo = field(default_factory=HostInfo)
    expires: datetime | None = None

    @property
    def all_regions(self) -> tuple[str, ...]:
        """The main region first, then the further ones, each once."""
        return tuple(dict.fromkeys((self.region, *self.regions)))

    def is_expired(self, now: datetime | None = None) -> bool:
        if self.expires is None:
            return False
        return (now or datetime.now(UTC)) >= self.expires


@dataclass(frozen=True)
class ImportedProfile:
    """A validated profile file: the profile and its External ID, kept apart."""

    profile: PartyProfile
    external_id: str = field(repr=False)


class SourceKind(StrEnum):
    """Where hop 1's credentials come from."""

    DEFAULT_CHAIN = "default-chain"
    AWS_PROFILE = "aws-profile"
    ACCESS_KEY = "access-key"  # both halves in the keyring


@dataclass(frozen=True)
class SourceSettings:
    """The partner's own side of the chain, set with `profile set-source`."""

    kind: SourceKind = SourceKind.DEFAULT_CHAIN
    aws_profile: str | None = None
    source_role_arn: str | None = None  # overrides the file's source_role_arn
    mfa_serial: str | None = None
    session_name: str | None = None

    def describe(self) -> str:
        """Where hop 1's credentials come from, in words for the user."""
        if self.kind is SourceKind.AWS_PROFILE:
            return f"AWS config profile '{self.aws_profile or ''}'"
        if self.kind is SourceKind.ACCESS_KEY:
            return "access key in the OS keyring"
        return "botocore's default credential chain"


@dataclass(frozen=True)
class ProfileRecord:
    """A stored profile: its stable id (the keyring key), the host's part and the partner's."""

    id: str
    profile: PartyProfile
    source: SourceSettings
    imported_at: datetime

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def effective_source_role_arn(self) -> str | None:
        return self.source.source_role_arn or self.profile.source_role_arn
