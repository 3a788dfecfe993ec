"""What a session asks StartSession for: the target, the document, its parameters, the reason.

Every value is checked here, once, whichever front end (CLI flags, the
window's dialogs) it came from.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ssmclient.core.errors import InputError
from ssmclient.core.profile_model import (
    PORT_FORWARD_DOCUMENT,
    REMOTE_PORT_FORWARD_DOCUMENT,
    SHELL_DOCUMENT,
    SSH_DOCUMENT,
)
from ssmclient.core.text import quoted

MAX_REASON_LENGTH = 256
_INSTANCE_ID = re.compile(r"(i-[0-9a-f]{8}|i-[0-9a-f]{17}|mi-[0-9a-f]{17})", re.ASCII)


def check_instance_id(value: str) -> str:
    if not _INSTANCE_ID.fullmatch(value):
        raise InputError(
            f"INSTANCE_ID: {quoted(value, 40)} is not an instance id (i-0123456789abcdef0)"
        )
    return value


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
