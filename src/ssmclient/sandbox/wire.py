"""Reading an AWS request off the wire and writing AWS-shaped answers back.

Three protocols meet here, and each error must look exactly as AWS sends it so
botocore raises the same exception class it raises against AWS:
- query (STS): `<ErrorResponse><Error><Type/><Code/><Message/></Error>...` XML;
- ec2 (EC2's own query dialect): `<Response><Errors><Error>...` XML;
- json (SSM, `X-Amz-Target: AmazonSSM.X`): `{"__type": ..., "message": ...}`;
- rest-json (SSO portal): `{"message": ...}` with the type in `x-amzn-ErrorType`.
"""

import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"

Headers = list[tuple[str, str]]
SSO_TOKEN_HEADER = "x-amz-sso_bearer_token"  # noqa: S105 - a header name
SSO_TOKEN_ENVIRON = "ssmclient.sso_bearer_token"  # noqa: S105 - a WSGI environ key


@dataclass
class AwsRequest:
    """What the layer needs to know about one incoming request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    service: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    action: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def protocol(self) -> str:
        if self.service == "ssm":
            return "json"
        if self.service == "ec2":
            return "ec2"
        if self.service == "sso":
            return "rest-json"
        return "query"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json_body(self) -> dict[str, Any]:
        if not self.body:
            return {}
        decoded = json.loads(self.body)
        return decoded if isinstance(decoded, dict) else {}


def parse_request(environ: dict[str, Any], body: bytes) -> AwsRequest:
    """Service, region, signing key and action of a request, from its headers and body."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if SSO_TOKEN_ENVIRON in environ:
        headers[SSO_TOKEN_HEADER] = str(environ[SSO_TOKEN_ENVIRON])
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    request = AwsRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=str(environ.get("PATH_INFO", "/")),
        query=parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
        headers=headers,
        body=body,
    )
    match = _CREDENTIAL.search(headers.get("authorization", ""))
    if match:
        request.access_key_id, request.region, request.service = match.groups()
    target = headers.get("x-amz-target")
    if target and "." in target:
        request.action = target.rsplit(".", 1)[1]
        if request.service is None and target.startswith("AmazonSSM."):
            request.service = "ssm"  # unsigned: no credential scope to name the service
    elif request.path.startswith("/federation/credentials"):
        request.service, request.action = "sso", "GetRoleCredentials"
        request.region = request.region or "us-east-1"
    else:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        form.update(request.query)
        request.params = {key: values[0] for key, values in form.items()}
        request.action = request.params.get("Action")
    return request


@dataclass(frozen=True)
class Reply:
    """A complete HTTP answer."""

    status: int
    body: bytes
    headers: Headers

    @property
    def status_line(self) -> str:
        return f"{self.status} {_REASONS.get(self.status, 'Status')}"


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def request_id() -> str:
    return str(uuid.uuid4())


def json_reply(document: Any, status: int = 200, content_type: str = "application/json") -> Reply:
    body = json.dumps(document).encode()
    return Reply(status, body, [("Content-Type", content_type), ("x-amzn-RequestId", request_id())])


def xml_reply(body: str, status: int = 200) -> Reply:
    return Reply(
        status, body.encode(), [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id())]
    )


def error_reply(protocol: str, status: int, code: str, message: str) -> Reply:
    """An error in the shape AWS uses for `protocol` (see the module docstring)."""
    rid = request_id()
    if protocol == "json":
        return Reply(
            status,
            json.dumps({"__type": code, "message": message}).encode(),
            [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", rid)],
        )
    if protocol == "rest-json":
        return Reply(
            status,
            json.dumps({"message": message}).encode(),
            [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", code),
                ("x-amzn-RequestId", rid),
            ],
        )
    if protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{rid}</RequestID></Response>"
        )
        return xml_reply(body, status)
    kind = "Receiver" if status >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{_STS_NS}">\n  <Error>\n    <Type>{kind}</Type>\n'
        f"    <Code>{escape(code)}</Code>\n    <Message>{escape(message)}</Message>\n"
        f"  </Error>\n  <RequestId>{rid}</RequestId>\n</ErrorResponse>\n"
    )
    return xml_reply(body, status)


# Throttling and server errors differ per protocol exactly as AWS's do; botocore's
# retry handler recognises each of these codes.
_THROTTLE = {
    "json": (400, "ThrottlingException", "Rate exceeded"),
    "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "query": (400, "Throttling", "Rate exceeded"),
    "rest-json": (429, "TooManyRequestsException", "Rate exceeded"),
}
_SERVER_ERROR = {
    "json": (500, "InternalServerError", "An internal error occurred."),
    "ec2": (500, "InternalError", "An internal error has occurred."),
    "query": (500, "InternalFailure", "An internal error occurred."),
    "rest-json": (500, "InternalServerException", "An internal error occurred."),
}


def throttle_reply(protocol: str) -> Reply:
    return error_reply(protocol, *_THROTTLE[protocol])


def server_error_reply(protocol: str) -> Reply:
    return error_reply(protocol, *_SERVER_ERROR[protocol])


def expired_token_reply(protocol: str) -> Reply:
    code = "ExpiredTokenException" if protocol in ("json", "rest-json") else "ExpiredToken"
    return error_reply(protocol, 400, code, "The security token included in the request is expired")


def _ec2_auth_failure() -> Reply:
    # EC2 answers every credential problem with the same AuthFailure.
    return error_reply(
        "ec2", 401, "AuthFailure", "AWS was not able to validate the provided access credentials"
    )


def invalid_token_reply(protocol: str) -> Reply:
    if protocol == "ec2":
        return _ec2_auth_failure()
    code = "UnrecognizedClientException" if protocol == "json" else "InvalidClientTokenId"
    return error_reply(
        protocol, 403, code, "The security token included in the request is invalid."
    )


def signature_mismatch_reply(protocol: str) -> Reply:
    if protocol == "ec2":
        return _ec2_auth_failure()
    message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )
    if protocol == "json":
        return error_reply(protocol, 400, "InvalidSignatureException", message)
    return error_reply(protocol, 403, "SignatureDoesNotMatch", message)


def missing_authentication_reply(protocol: str) -> Reply:
    if protocol == "json":
        return error_reply(
            protocol, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"
        )
    return error_reply(
        protocol, 403, "MissingAuthenticationToken", "Request is missing Authentication Token"
    )
