"""The WSGI layer in front of moto's own server app.

Each request: control API (`/_sandbox/...`) or AWS call; for an AWS call, read
service/action/key, apply a fault if one is armed, resolve the caller, answer
what the layer implements (trust evaluation, SSM, SSO, permissions) and hand
the rest to moto in the caller's account. Every AWS call is logged.
"""

import contextlib
import io
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from ssmclient.core.aws.iam_policy import Decision
from ssmclient.sandbox import (
    ec2_listing,
    moto_fixes,
    permissions,
    ssm_handler,
    sso_handler,
    sts_handler,
)
from ssmclient.sandbox.identities import Identity
from ssmclient.sandbox.signature import signature_matches
from ssmclient.sandbox.state import SandboxState
from ssmclient.sandbox.wire import (
    AwsRequest,
    Reply,
    error_reply,
    expired_token_reply,
    invalid_token_reply,
    missing_authentication_reply,
    parse_request,
    server_error_reply,
    signature_mismatch_reply,
    throttle_reply,
)

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
ControlHandler = Callable[[Environ, bytes], Reply]

CONTROL_PREFIX = "/_sandbox/"
_UNSIGNED_ACTIONS = frozenset({"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"})
# Actions that leave moto's store as the scenario left it (AssumeRole only adds
# credentials, which the layer forgets on every reset anyway).
_READ_ONLY_PREFIXES = ("Describe", "Get", "List", "AssumeRole")


class DroppedConnectionError(Exception):
    """Raised to close the client's connection without any answer."""


class SandboxApp:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        moto_fixes.apply()
        self.moto = DomainDispatcherApplication(create_backend_app)
        # Set by the server: answers `/_sandbox/...` (see `control`).
        self.control: ControlHandler | None = None

    # -- WSGI entry -------------------------------------------------------------
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        path = str(environ.get("PATH_INFO", "/"))
        try:
            if path.startswith(CONTROL_PREFIX) and self.control is not None:
                reply = self.control(environ, body)
            elif path.startswith("/moto-api"):
                # moto's own back door would let any client rewrite the store unseen.
                reply = error_reply("rest-json", 404, "NotFound", "no such endpoint")
            else:
                reply = self._aws(environ, body)
        except DroppedConnectionError:
            _drop(environ)
            start_response("500 Dropped", [("Content-Length", "0")])
            return []
        except Exception:
            traceback.print_exc(file=sys.stderr)
            reply = server_error_reply("query")
        headers = [h for h in reply.headers if h[0].lower() != "content-length"]
        headers.append(("Content-Length", str(len(reply.body))))
        start_response(reply.status_line, headers)
        return [reply.body]

    # -- AWS requests -----------------------------------------------------------
    def _aws(self, environ: Environ, body: bytes) -> Reply:
        request = parse_request(environ, body)
        caller: Identity | None = None
        fault_kind: str | None = None
        status = 0
        try:
            if request.access_key_id:
                caller = self.state.credentials.resolve(request.access_key_id)
            fault = self.state.faults.take(request.action)
            if fault is not None:
                fault_kind = fault.kind
                if fault.kind == "latency":
                    time.sleep(fault.seconds)
                elif fault.kind == "throttle":
                    reply = throttle_reply(request.protocol)
                    status = reply.status
                    return reply
                elif fault.kind == "5xx":
                    reply = server_error_reply(request.protocol)
                    status = reply.status
                    return reply
                else:
                    raise DroppedConnectionError
            try:
                reply = self._answer(environ, request, caller)
            except NotImplementedError:
                reply = not_emulated_reply(request)
            except Exception:
                # A fault of the emulation (moto's or ours), answered in the request's
                # own protocol, as AWS answers its internal errors; the log has the trace.
                traceback.print_exc(file=sys.stderr)
                reply = server_error_reply(request.protocol)
            status = reply.status
            return reply
        finally:
            # Seeding traffic (admin keys) is not part of what a test counts.
            if caller is None or caller.kind != "admin":
                self.state.log.add(
                    service=request.service,
                    action=request.action,
                    region=request.region,
                    access_key_id=request.access_key_id,
                    caller=caller.arn if caller else None,
                    status=status,
                    fault=fault_kind,
                    source_identity=caller.source_identity if caller else None,
                )

    def _answer(self, environ: Environ, request: AwsRequest, caller: Identity | None) -> Reply:
        if request.service == "sso":
            return sso_handler.get_role_credentials(self.state, request)
        if request.access_key_id is None:
            # Only the web-identity and SAML flavours of AssumeRole are unsigned in AWS,
            # and no role of the scenario trusts a federated principal.
            if request.action in _UNSIGNED_ACTIONS:
                message = f"Not authorized to perform sts:{request.action}"
                return error_reply("query", 403, "AccessDenied", message)
            return missing_authentication_reply(request.protocol)
        if caller is None:
            return invalid_token_reply(request.protocol)
        if caller.secret_access_key is None or not signature_matches(
            environ, request.body, caller.secret_access_key
        ):
            return signature_mismatch_reply(request.protocol)
        if caller.session_token is not None:
            token = request.header("x-amz-security-token")
            if token != caller.session_token:
                return invalid_token_reply(request.protocol)
            if caller.expired():
                return expired_token_reply(request.protocol)
        if request.service == "sts":
            if request.action == "AssumeRole":
                return sts_handler.assume_role(
                    self.state, request, caller, lambda r, acct: self._forward(environ, r, acct)
                )
            if request.action == "GetSessionToken":
                return sts_handler.get_session_token(
                    self.state, request, caller, lambda r, acct: self._forward(environ, r, acct)
                )
            if request.action == "GetCallerIdentity":
                return sts_handler.get_caller_identity(caller)
        if request.service == "ec2":
            # EC2's Describe actions have no resource type: IAM authorizes them on "*".
            action = request.action or ""
            verdict = permissions.decision(
                caller, f"ec2:{action}", "*", request.region or "us-east-1"
            )
            if verdict is not Decision.ALLOW:
                message = "You are not authorized to perform this operation. " + (
                    permissions.not_authorized(
                        caller, "ec2", action, None, explicit=verdict is Decision.EXPLICIT_DENY
                    )
                )
                return error_reply("ec2", 403, "UnauthorizedOperation", message)
        if request.service == "ec2" and request.action == "DescribeInstances":
            listed = ec2_listing.describe_instances(
                caller.account, request.region or "us-east-1", request.params
            )
            if listed is not None:
                return listed
        if request.service == "ssm":
            answered = ssm_handler.handle(self.state, request, caller)
            if answered is not None:
                return answered
        return self._forward(environ, request, caller.account)

    def _forward(self, environ: Environ, request: AwsRequest, account: str | None) -> Reply:
        """Ask moto, in `account`'s store (moto's own per-request account header)."""
        if not (request.action or "").startswith(_READ_ONLY_PREFIXES):
            self.state.mutated = True
        inner = {k: v for k, v in environ.items() if k != "HTTP_X_MOTO_ACCOUNT_ID"}
        inner["wsgi.input"] = io.BytesIO(request.body)
        inner["CONTENT_LENGTH"] = str(len(request.body))
        if account is not None:
            inner["HTTP_X_MOTO_ACCOUNT_ID"] = account
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = list(headers)

        chunks = self.moto(inner, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        return Reply(captured["status"], body, captured["headers"])


def not_emulated_reply(request: AwsRequest) -> Reply:
    """An action moto does not implement: said once, in the service's protocol, not retried.

    (A 5xx would make every client retry it, and no AWS service answers an
    action it knows with another protocol's error.)
    """
    message = (
        f"the ssmclient sandbox does not emulate {request.service}:{request.action}; "
        "AWS would answer it"
    )
    return error_reply(request.protocol, 400, "NotImplemented", message)


def _read_body(environ: Environ) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _drop(environ: Environ) -> None:
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        # RST rather than FIN would also do; a plain shutdown is what a crashed
        # front end looks like to botocore: "Connection was closed before we
        # received a valid response".
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
