"""StartSession and TerminateSession, as the host's role, with errors that say what a denial means.

ssmclient calls ssm:StartSession itself, so that a denial (the host's ABAC
refusing an instance) is a clear error here rather than text in a terminal
that flashes and closes.
"""

import contextlib
import json
import logging
from dataclasses import dataclass, field

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from ssmclient.core.diagnostic_log import mask_secret
from ssmclient.core.errors import InputError, SsmClientError
from ssmclient.core.sessions.request import SessionRequest
from ssmclient.core.text import quoted

logger = logging.getLogger(__name__)


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
        raise _start_error(exc, quoted(request.target)) from None  # logged where it is said
    mask_secret(response["TokenValue"])
    logger.info(
        "session %s started on %s (%s, %s)",
        response["SessionId"],
        request.target,
        request.document_name,
        region,
    )
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
