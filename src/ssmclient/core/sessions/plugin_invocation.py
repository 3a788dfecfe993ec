"""How the session-manager-plugin is run: exactly the AWS CLI's argv and environment.

The response only in AWS_SSM_START_SESSION_RESPONSE, the hop-2 credentials in
its environment, no other identity (AWS_PROFILE and friends removed), none
of ssmclient's own secrets; what a hand-off to another window must carry.
"""

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from botocore.credentials import ReadOnlyCredentials

from ssmclient.core.sessions.credential_feed import EXPIRATION_VARIABLE as FEED_EXPIRATION_VARIABLE
from ssmclient.core.sessions.credential_feed import KEY_VARIABLE as FEED_KEY_VARIABLE
from ssmclient.core.sessions.credential_feed import PROFILE_NAME as FEED_PROFILE
from ssmclient.core.sessions.session_api import StartedSession

RESPONSE_VARIABLE = "AWS_SSM_START_SESSION_RESPONSE"

# Variables that would make the plugin use another identity than the one
# that started the session.
_IDENTITY_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
    RESPONSE_VARIABLE,
)
# ssmclient's own secrets (SSMCLIENT_MFA_CODE, and any other SSMCLIENT_ variable
# shaped like one): the plugin has no use for them. By shape, not by a list,
# so that whatever runs ssmclient (a test harness, say) is covered too.
_OWN_SECRET_SUFFIXES = ("_CODE", "_TOKEN", "_SECRET", "_KEY", "_PASSWORD")


def is_own_secret(name: str) -> bool:
    return name.startswith("SSMCLIENT_") and name.endswith(_OWN_SECRET_SUFFIXES)


def variables_to_unset(environ: Mapping[str, str] | None = None) -> list[str]:
    """What a plugin's environment must not hold: other identities and ssmclient's secrets."""
    present = os.environ if environ is None else environ
    return [*_IDENTITY_VARIABLES, *sorted(n for n in present if is_own_secret(n))]


# What a plugin started in another window (whose environment is the
# terminal's, not ours) must receive: the session, the identity, and where
# botocore was told to send requests and whom to trust.
_HANDOFF_VARIABLES = frozenset(
    {
        RESPONSE_VARIABLE,
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CA_BUNDLE",
        "AWS_USE_FIPS_ENDPOINT",
        "AWS_USE_DUALSTACK_ENDPOINT",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
        "https_proxy",
        "http_proxy",
        "no_proxy",
    }
)
_HANDOFF_PREFIXES = ("AWS_ENDPOINT_URL",)
# A plugin fed fresh credentials (credential_feed.py) needs these in its window too.
_FEED_HANDOFF_VARIABLES = frozenset(
    {"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", FEED_KEY_VARIABLE, FEED_EXPIRATION_VARIABLE}
)


@dataclass(frozen=True)
class PluginInvocation:
    """The plugin's argv and environment; `env` holds secrets and must never be logged."""

    argv: list[str]
    env: dict[str, str] = field(repr=False)

    def handoff_environment(self) -> dict[str, str]:
        """What a hand-off must set in the new window's environment (secrets included)."""
        return {
            name: value
            for name, value in self.env.items()
            if name in _HANDOFF_VARIABLES
            or name.startswith(_HANDOFF_PREFIXES)
            or (self.argv[4] == FEED_PROFILE and name in _FEED_HANDOFF_VARIABLES)
        }


def plugin_invocation(
    plugin_path: str,
    session: StartedSession,
    credentials: ReadOnlyCredentials,
    base_env: Mapping[str, str] | None = None,
    *,
    feed: Mapping[str, str] | None = None,
    expiration: datetime | None = None,
) -> PluginInvocation:
    """The plugin's argv and environment: the AWS CLI's, with the hop-2 credentials.

    With `feed` (credential_feed.CredentialFeed.plugin_environment) the plugin
    gets the feed's profile in argv[4], so its own AWS calls use credentials the
    running ssmclient keeps fresh; the first credentials stay in its
    environment, with their `expiration`, for when that ssmclient is gone.
    """
    argv = [
        plugin_path,
        RESPONSE_VARIABLE,
        session.region,
        "StartSession",
        # No profile: the plugin uses the credentials in its environment.
        "" if feed is None else FEED_PROFILE,
        json.dumps(session.request.api_parameters()),
        session.endpoint_url,
    ]
    env = dict((base_env if base_env is not None else os.environ).items())
    for name in variables_to_unset(env):
        env.pop(name, None)
    env.update(
        {
            RESPONSE_VARIABLE: session.plugin_payload(),
            "AWS_ACCESS_KEY_ID": str(credentials.access_key),
            "AWS_SECRET_ACCESS_KEY": str(credentials.secret_key),
            "AWS_REGION": session.region,
            "AWS_DEFAULT_REGION": session.region,
        }
    )
    if credentials.token:
        env["AWS_SESSION_TOKEN"] = credentials.token
    if feed is not None:
        env.update(feed)
        if expiration is not None:
            env[FEED_EXPIRATION_VARIABLE] = expiration.isoformat()
    return PluginInvocation(argv, env)
