"""Starting a session exactly as `aws ssm start-session` does, and handing it to the plugin.

ssmclient calls ssm:StartSession itself, so that a denial (the host's ABAC
refusing an instance) is a clear error here rather than text in a terminal
that flashes and closes. The plugin then gets the AWS CLI's argv and
environment: the response only in AWS_SSM_START_SESSION_RESPONSE, the hop-2
credentials in its environment, AWS_PROFILE removed.
"""

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.client import BaseClient
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.profile_model import (
    PORT_FORWARD_DOCUMENT,
    REMOTE_PORT_FORWARD_DOCUMENT,
    SHELL_DOCUMENT,
    SSH_DOCUMENT,
)
from ssmclient.core.sessions.credential_feed import EXPIRATION_VARIABLE as FEED_EXPIRATION_VARIABLE
from ssmclient.core.sessions.credential_feed import KEY_VARIABLE as FEED_KEY_VARIABLE
from ssmclient.core.sessions.credential_feed import PROFILE_NAME as FEED_PROFILE
from ssmclient.core.text import quoted

RESPONSE_VARIABLE = "AWS_SSM_START_SESSION_RESPONSE"
MAX_REASON_LENGTH = 256

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
class SessionRequest:
    """What to ask StartSession for. `document` None means the default shell."""

    target: str
    document: str | None = None
    parameters: Mapping[str, list[str]] = field(default_factory=dict)
    reason: str | None = None

    def api_parameters(self) -> dict[str, Any]:
        """The StartSession request, which the plugin also receives (as the AWS CLI passes it)."""
        request: dict[str, Any] = {"Target": self.target}
        if self.document is not None:
            request["DocumentName"] = self.document
        if self.parameters:
            request["Parameters"] = {key: list(value) for key, value in self.parameters.items()}
        if self.reason:
            request["Reason"] = self.reason
        return request

    @property
    def document_name(self) -> str:
        return self.document or SHELL_DOCUMENT


def shell_request(target: str, reason: str | None = None) -> SessionRequest:
    return SessionRequest(target, reason=check_reason(reason))


def ssh_request(target: str, port: int, reason: str | None = None) -> SessionRequest:
    """AWS-StartSSHSession: the instance's `port` on the plugin's stdin and stdout, for ssh.

    The request of `aws ssm start-session --document-name AWS-StartSSHSession
    --parameters portNumber=%p`.
    """
    return SessionRequest(target, SSH_DOCUMENT, {"portNumber": [str(port)]}, check_reason(reason))


def port_forward_request(
    target: str,
    remote_port: int,
    local_port: int | None,
    host: str | None = None,
    reason: str | None = None,
) -> SessionRequest:
    parameters = {
        "portNumber": [str(remote_port)],
        "localPortNumber": [str(local_port or 0)],
    }
    if host is None:
        return SessionRequest(target, PORT_FORWARD_DOCUMENT, parameters, check_reason(reason))
    return SessionRequest(
        target, REMOTE_PORT_FORWARD_DOCUMENT, {"host": [host], **parameters}, check_reason(reason)
    )


def check_reason(reason: str | None) -> str | None:
    """StartSession's Reason: 1-256 characters, shown to the host in its session history."""
    if reason is None:
        return None
    if not reason.strip():
        raise InputError("--reason: must not be empty")
    if len(reason) > MAX_REASON_LENGTH:
        raise InputError(f"--reason: must be at most {MAX_REASON_LENGTH} characters")
    if not reason.isprintable():
        raise InputError("--reason: must not contain control or invisible characters")
    return reason


@dataclass(frozen=True)
class StartedSession:
    session_id: str
    token_value: str = field(repr=False)
    stream_url: str = field(repr=False)
    request: SessionRequest
    region: str
    endpoint_url: str

    def plugin_payload(self) -> str:
        # Exactly the three keys the AWS CLI hands over.
        return json.dumps(
            {
                "SessionId": self.session_id,
                "TokenValue": self.token_value,
                "StreamUrl": self.stream_url,
            }
        )


class SessionDeniedError(SsmClientError):
    pass


def _start_error(exc: Exception, target: str) -> SsmClientError:
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        if code == "AccessDeniedException":
            return SessionDeniedError(
                f"start session on {target}: the host does not allow you a session on this "
                f"instance ({code}: {message})"
            )
        if code == "TargetNotConnected":
            return SsmClientError(
                f"start session on {target}: the instance is not connected to Session Manager "
                f"(stopped, or its SSM agent is offline) ({code}: {message})"
            )
        if code in ("InvalidDocument", "InvalidDocumentAccess"):
            return SsmClientError(
                f"start session on {target}: the host does not offer this session document "
                f"({code}: {message})"
            )
        return SsmClientError(f"start session on {target}: {code}: {message}")
    if isinstance(exc, ParamValidationError):
        # Its text quotes request values; say which kind of error only.
        return InputError(f"start session on {target}: a request parameter was refused by botocore")
    return SsmClientError(f"start session on {target}: {exc}")


def start_session(ssm: BaseClient, request: SessionRequest, region: str) -> StartedSession:
    """Call ssm:StartSession as the host's role; errors say what the denial means."""
    try:
        response = ssm.start_session(**request.api_parameters())  # type: ignore[attr-defined]
    except (ClientError, BotoCoreError) as exc:
        raise _start_error(exc, quoted(request.target)) from None
    return StartedSession(
        session_id=response["SessionId"],
        token_value=response["TokenValue"],
        stream_url=response["StreamUrl"],
        request=request,
        region=region,
        endpoint_url=ssm.meta.endpoint_url,
    )


def terminate_quietly(ssm: BaseClient, session_id: str) -> bool:
    """TerminateSession, for cleanup: a failure here must not hide the original error."""
    # A credential refresh inside the call raises our own errors (an MFA code
    # that cannot be asked for, hop 1 denied): cleanup swallows those too.
    with contextlib.suppress(ClientError, BotoCoreError, SsmClientError):
        ssm.terminate_session(SessionId=session_id)  # type: ignore[attr-defined]
        return True
    return False


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
