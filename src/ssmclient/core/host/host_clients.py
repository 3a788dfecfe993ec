"""botocore clients with the host's own credentials, and their failures said for a host.

The credentials come from botocore's own chain (AWS_PROFILE, SSO, the
environment, ...) exactly as for the AWS CLI; nothing is stored.
"""

from typing import Any

from botocore import exceptions as bce

from ssmclient.core.aws.client_config import settings_from_env
from ssmclient.core.aws.source_credentials import new_session
from ssmclient.core.aws.step_errors import StepError, from_exception
from ssmclient.core.errors import SsmClientError

_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})


def host_client(service: str, region: str | None = None) -> Any:
    session = new_session()
    config = settings_from_env().botocore_config(session)
    # IAM is global; any region signs for it.
    return session.create_client(
        service,
        region_name=region or session.get_config_variable("region") or "us-east-1",
        config=config,
    )


def host_error(exc: Exception, step: str, needs: str) -> SsmClientError:
    """One line for a failed host call; `needs` names the permissions the step uses."""
    if isinstance(exc, SsmClientError):
        return exc
    if isinstance(exc, bce.NoCredentialsError):
        return StepError(
            step,
            None,
            "no AWS credentials were found",
            "run it with the host account's credentials (AWS_PROFILE, `aws sso login`, ...)",
        )
    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Error")
        message = str(error.get("Message") or "no message")
        hint = None
        if code in _DENIED:
            hint = f"these credentials need {needs} in the host account"
        elif code in {"NoSuchEntity", "NoSuchEntityException"}:
            hint = "check the role ARN (and that these are the host account's credentials)"
        return StepError(step, code, message, hint)
    return from_exception(exc, step)
