"""Errors that say which step of the chain failed, what AWS said, and what a partner can do.

Every message is one line: `<step>: <AWS error code>: <AWS message> (<hint>)`,
e.g. `hop 2 (arn:aws:iam::111122223333:role/X): AccessDenied: ... (the host's
role refused ...)`. Known secrets are masked before anything reaches the text.
"""

import re
import shlex
from collections.abc import Iterable

from botocore import exceptions as bce

from ssmclient.core.errors import SsmClientError

SOURCE_STEP = "source credentials"

_EXPIRED = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
_THROTTLED = frozenset(
    {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
)
_INVALID_KEYS = frozenset(
    {
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "AuthFailure",
        "InvalidAccessKeyId",
        "IncompleteSignature",
    }
)
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def hop1_step(role_arn: str) -> str:
    return f"hop 1 ({role_arn})"


def hop2_step(role_arn: str) -> str:
    return f"hop 2 ({role_arn})"


def listing_step(region: str) -> str:
    return f"listing ({region})"


class StepError(SsmClientError):
    """A failed step of the chain (exit status 1); `code` is AWS's error code when it gave one."""

    def __init__(self, step: str, code: str | None, detail: str, hint: str | None = None) -> None:
        self.step = step
        self.code = code
        self.detail = detail
        self.hint = hint
        text = f"{step}: {code}: {detail}" if code else f"{step}: {detail}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


def mask(text: str, secrets: Iterable[str | None]) -> str:
    """Replace each secret where it stands as a token of its own.

    Not inside longer words or numbers: a two-character External ID or a
    6-digit MFA code would otherwise garble error codes and account ids.
    """
    for secret in secrets:
        if secret and len(secret) >= 2:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
            text = re.sub(pattern, "***", text)
    return text


def _client_error_hint(step: str, code: str, host_contact: str | None) -> str | None:
    ask_host = (
        f"ask the host: {host_contact}" if host_contact else "ask the host who sent the profile"
    )
    if code in _EXPIRED:
        return "the credentials have expired: renew them (e.g. `aws sso login`) and try again"
    if code in _THROTTLED:
        return "AWS kept throttling the requests after retries: wait a minute and try again"
    if code in _INVALID_KEYS:
        return (
            "these credentials are not valid (wrong, deleted or deactivated key): "
            "check them with `ssmclient profile set-source`"
        )
    if code in _DENIED:
        if step.startswith("hop 2"):
            return f"the host's role refused this External ID or your role; {ask_host}"
        if step.startswith("hop 1"):
            return (
                "your own role did not accept your identity (its trust policy, a missing or "
                "wrong MFA code, or a wrong role ARN): check with your own AWS administrator"
            )
        if step.startswith("listing"):
            return f"the host's role may not list instances here; {ask_host}"
        return "your own credentials may not do this: check with your own AWS administrator"
    if code.startswith("5") or code in {"InternalError", "InternalFailure", "ServiceUnavailable"}:
        return "AWS had a server error even after retries: try again in a moment"
    return None


def from_exception(
    exc: Exception,
    step: str,
    *,
    host_contact: str | None = None,
    secrets: Iterable[str | None] = (),
    aws_profile: str | None = None,
) -> SsmClientError:
    """The StepError for `exc` raised during `step`; SsmClientErrors pass through unchanged.

    `aws_profile` is the AWS config profile hop 1's credentials come from, so
    that an expired SSO sign-in names the exact `aws sso login` to run.
    """
    if isinstance(exc, SsmClientError):
        return exc
    secrets = tuple(secrets)
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = str(
            error.get("Code")
            or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Error")
        )
        message = mask(str(error.get("Message") or "no message"), secrets)
        return StepError(step, code, message, _client_error_hint(step, code, host_contact))
    return _from_botocore_error(exc, step, secrets, aws_profile)


def _from_botocore_error(
    exc: Exception, step: str, secrets: tuple[str | None, ...], aws_profile: str | None = None
) -> StepError:
    name = type(exc).__name__
    if isinstance(exc, bce.NoCredentialsError):
        return StepError(
            step,
            None,
            "no AWS credentials were found",
            "set where they come from with `ssmclient profile set-source NAME` "
            "(--aws-profile, --access-key-id or --default-chain)",
        )
    if isinstance(exc, bce.ProfileNotFound):
        return StepError(
            step, None, mask(str(exc), secrets), "check the name with `aws configure list-profiles`"
        )
    if isinstance(exc, bce.SSOError | bce.UnauthorizedSSOTokenError | bce.SSOTokenLoadError):
        login = "aws sso login" + (f" --profile {shlex.quote(aws_profile)}" if aws_profile else "")
        return StepError(step, name, mask(str(exc), secrets), f"sign in again with `{login}`")
    if isinstance(exc, bce.ConnectTimeoutError | bce.ReadTimeoutError):
        return StepError(
            step,
            None,
            f"timed out waiting for AWS ({mask(str(exc), secrets)})",
            "the network, a proxy or a firewall is in the way: check the connection and try again",
        )
    if isinstance(
        exc, bce.EndpointConnectionError | bce.ConnectionClosedError | bce.HTTPClientError
    ):
        return StepError(
            step,
            None,
            f"cannot reach AWS ({mask(str(exc), secrets)})",
            "the network is down or blocked: check the connection, VPN or proxy and try again",
        )
    if isinstance(exc, bce.CredentialRetrievalError | bce.RefreshWithMFAUnsupportedError):
        return StepError(step, name, mask(str(exc), secrets))
    if isinstance(exc, bce.ParamValidationError):
        # The parameter report may quote values; say only that it was refused.
        return StepError(step, name, "a request parameter was refused before sending")
    if isinstance(exc, bce.BotoCoreError):
        return StepError(step, name, mask(str(exc), secrets))
    return StepError(step, name, mask(str(exc) or name, secrets))
