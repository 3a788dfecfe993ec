"""Hop 1's source: the partner's own identity, resolved the way the AWS CLI resolves it.

A named AWS-config profile goes through botocore's own resolver, so static
keys, SSO (with its token cache), `credential_process` and `source_profile`
chains behave exactly as in `aws --profile P`. Nothing is written to disk.
"""

import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

from ssmclient.core.aws.data_loader import shared_loader
from ssmclient.core.aws.response_parsing import use_fast_timestamps
from ssmclient.core.errors import SsmClientError
from ssmclient.core.profile_model import ProfileRecord, SourceKind
from ssmclient.core.profile_store import ProfileStore


class _FixedProvider(CredentialProvider):
    """Hands botocore a credentials object we built (possibly refreshable)."""

    METHOD = "ssmclient"
    CANONICAL_NAME = "ssmclient"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials


def session_with_credentials(
    credentials: Credentials, like: botocore.session.Session | None = None
) -> botocore.session.Session:
    """A new botocore session that uses `credentials` and otherwise `like`'s settings.

    The same AWS-config profile is kept (its endpoint_url, CA bundle and proxy
    settings still apply) and `like`'s data loader is shared, so service models
    are parsed once per process rather than once per session.
    """
    profile = like.profile if like is not None else None
    session = new_session(profile)
    session.register_component(
        "credential_provider", CredentialResolver([_FixedProvider(credentials)])
    )
    return session


def new_session(profile: str | None = None) -> botocore.session.Session:
    """A botocore session that shares the process's data loader (see data_loader.py)
    and parses timestamps quickly (see response_parsing.py)."""
    session = botocore.session.Session(profile=profile)
    session.register_component("data_loader", shared_loader())
    use_fast_timestamps(session)
    return session


def _aws_profile_session(name: str) -> botocore.session.Session:
    session = new_session(name)
    # botocore checks the name only when credentials are loaded; say it early and plainly.
    if name not in session.available_profiles:
        from ssmclient.core.aws.step_errors import SOURCE_STEP, StepError

        raise StepError(
            SOURCE_STEP,
            None,
            f"the AWS config profile '{name}' does not exist",
            "check `aws configure list-profiles`; then "
            "`ssmclient profile set-source NAME --aws-profile P`",
        )
    return session


def source_session(record: ProfileRecord, store: ProfileStore) -> botocore.session.Session:
    """The botocore session holding hop 1's source credentials for `record`."""
    source = record.source
    if source.kind is SourceKind.AWS_PROFILE:
        if not source.aws_profile:
            raise SsmClientError(f"profile '{record.name}': the AWS config profile name is missing")
        return _aws_profile_session(source.aws_profile)
    session = new_session()
    if source.kind is SourceKind.ACCESS_KEY:
        pair = store.access_key(record)
        if pair is None:
            from ssmclient.core.aws.step_errors import SOURCE_STEP, StepError

            raise StepError(
                SOURCE_STEP,
                None,
                "the access key is not in the OS keyring",
                "store it again with `ssmclient profile set-source NAME --access-key-id ID`",
            )
        session.set_credentials(pair[0], pair[1])
    return session
